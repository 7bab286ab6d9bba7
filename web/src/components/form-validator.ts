/**
 * The validator react-jsonschema-form is given in the staff app. rjsf's Ajv
 * validator compiles each schema to a function with `new Function`, which
 * the app's Content-Security-Policy forbids (script-src 'self', no
 * 'unsafe-eval': see api/app.ts), so in the browser the form is not checked
 * against its schema at all (@rjsf/validator-ajv8 stays installed only because
 * @rjsf/core's bundle imports it): the API does that with Ajv (JSON Schema
 * 2020-12) and answers 400 naming each bad `form.<field>`, which the screen
 * shows next to the field. Schemas with conditional parts (if/then, oneOf)
 * are drawn with every part taken as matching.
 */
import type { RJSFSchema, ValidatorType } from '@rjsf/utils';

export const serverValidated: ValidatorType<Record<string, unknown>, RJSFSchema> = {
  validateFormData: () => ({ errors: [], errorSchema: {} }),
  isValid: () => true,
  rawValidation: () => ({ errors: [], validationError: undefined }),
};
