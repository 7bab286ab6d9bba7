/**
 * The application form rendered from its JSON Schema with react-jsonschema-form's
 * antd theme (@rjsf/antd) — the same library the applicant's page uses — so
 * the chain owner sees the form as applicants will. Validation is Ajv's
 * JSON Schema 2020-12 dialect, as on the server.
 */
import Form from '@rjsf/antd';
import { customizeValidator } from '@rjsf/validator-ajv8';
import Ajv2020 from 'ajv/dist/2020';
import type { FormDefinition } from '../../../../domain/chain';

const validator = customizeValidator({ AjvClass: Ajv2020 });

export function FormPreview({
  form,
  value,
  onChange,
  testId,
}: {
  form: FormDefinition;
  value?: Record<string, unknown>;
  onChange?: (v: Record<string, unknown>) => void;
  testId?: string;
}) {
  return (
    <div data-testid={testId}>
      <Form
        schema={form.schema}
        uiSchema={{ ...(form.ui ?? {}), 'ui:submitButtonOptions': { norender: true } }}
        validator={validator}
        formData={value}
        onChange={(e) => onChange?.((e.formData ?? {}) as Record<string, unknown>)}
        liveValidate={value !== undefined}
        showErrorList={false}
      />
    </div>
  );
}
