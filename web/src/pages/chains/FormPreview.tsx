/**
 * The application form rendered from its JSON Schema with react-jsonschema-form's
 * antd theme (@rjsf/antd), so the chain owner sees the form as applicants
 * will. The server checks the values (see components/form-validator.ts).
 */
import Form from '@rjsf/antd';
import type { FormDefinition } from '../../../../domain/chain';
import { serverValidated } from '../../components/form-validator';

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
        validator={serverValidated}
        formData={value}
        onChange={(e) => onChange?.((e.formData ?? {}) as Record<string, unknown>)}
        showErrorList={false}
      />
    </div>
  );
}
