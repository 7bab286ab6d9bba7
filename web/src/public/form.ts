/**
 * The public pages' form state, without a form library: the values, one
 * error per field (checked by the field's rule, or put there from the API's
 * field errors), and a submit that checks every rule first and moves the
 * focus to the first field in error.
 */
import { useMemo, useRef, useState } from 'react';
import { ApiError, type FieldError } from '../api';
import { pick, type Lang } from '../lang';
import { control } from './ui';

/** A field's rule: the (Chinese) message when the value is not acceptable, else null. */
export type Rule<V> = (value: V) => string | null;

export type Rules<T> = { [K in keyof T]?: Rule<T[K]> };
type Errors<T> = { [K in keyof T]?: string };

export function useForm<T extends object>(initial: T, rules: () => Rules<T>, translate: (zh: string) => string) {
  const [values, setValues] = useState<T>(initial);
  const [errors, setErrors] = useState<Errors<T>>({});
  const current = useRef(values);
  // The latest rules and language, read by the (stable) methods below.
  const latest = useRef({ rules, translate });
  latest.current = { rules, translate };

  const methods = useMemo(() => {
    const check = (names: (keyof T)[]): Errors<T> => {
      const all = latest.current.rules();
      const found: Errors<T> = {};
      for (const name of names) {
        const problem = all[name]?.(current.current[name]);
        if (problem) found[name] = latest.current.translate(problem);
      }
      return found;
    };
    const focusFirst = (found: Errors<T>) => {
      const first = Object.keys(found)[0];
      if (first) document.getElementById(`f-${first}`)?.focus();
    };
    return {
      /** Sets a value and clears its error. */
      set<K extends keyof T>(name: K, value: T[K]) {
        current.current = { ...current.current, [name]: value };
        setValues(current.current);
        setErrors((e) => ({ ...e, [name]: undefined }));
      },
      /** Checks some fields: the values when they all pass, else null (and the errors shown). */
      validate<K extends keyof T>(names: K[]): Pick<T, K> | null {
        const found = check(names);
        setErrors((e) => {
          const next = { ...e };
          for (const n of names) next[n] = found[n];
          return next;
        });
        focusFirst(found);
        return Object.keys(found).length ? null : current.current;
      },
      /** Checks every field with a rule: the values when all pass, else null. */
      validateAll(): T | null {
        const found = check(Object.keys(latest.current.rules()) as (keyof T)[]);
        setErrors(found);
        focusFirst(found);
        return Object.keys(found).length ? null : current.current;
      },
      /** Puts an ApiError's field errors on the fields `toName` maps their paths to; returns the errors no field took. */
      applyFieldErrors(err: unknown, lang: Lang, toName: (path: string) => keyof T | undefined): FieldError[] {
        if (!(err instanceof ApiError)) return [];
        const placed: Errors<T> = {};
        const rest: FieldError[] = [];
        for (const e of err.fieldErrors) {
          const name = toName(e.path);
          if (name === undefined) rest.push(e);
          else placed[name] = placed[name] ? `${placed[name]}；${pick(e.message, lang)}` : pick(e.message, lang);
        }
        setErrors((e) => ({ ...e, ...placed }));
        return rest;
      },
    };
  }, []);

  /** The props of a text input bound to a field: its id and accessibility attributes, the class, the value, the change. */
  const textInput = <K extends keyof T & string>(name: K) => ({
    ...control(name, errors[name]),
    className: 'pj-input',
    value: values[name] as string | undefined,
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => methods.set(name, e.target.value as T[K]),
  });

  return { values, errors, textInput, ...methods };
}

export const required =
  (message: string): Rule<string | undefined> =>
  (v) =>
    v?.trim() ? null : message;

export const PHONE = /^1[3-9]\d{9}$/;
