import pino from 'pino';
import { maskIdNumber, maskPhone } from '../domain/id-number';

/** Fields never written to the log, at any depth up to four levels and in arrays (request bodies, errors' bodies). */
const SECRET_KEYS = ['password', 'idNumber', 'phone', 'token', 'authorization', 'cookie'];

function redactPaths(): string[] {
  const prefixes = ['', '*.', '*.*.', '*.*.*.', '*[*].', '*.*[*].', '*.*.*[*].', '*[*].*.', '*.*[*].*.'];
  return [...prefixes.flatMap((p) => SECRET_KEYS.map((k) => `${p}${k}`)), 'req.headers.authorization', 'req.headers.cookie'];
}

// Anything that still looks like a resident ID number (18 characters) or a mainland mobile
// number inside a message or a stack (an error quoting its input) is masked on the way out.
const ID_NUMBER = /\b\d{17}[\dX]\b/gi;
const MOBILE = /\b1[3-9]\d{9}\b/g;

/** Masks ID and mobile numbers in one serialized log line. */
export function maskPersonalData(line: string): string {
  return line.replace(ID_NUMBER, (m) => maskIdNumber(m)).replace(MOBILE, (m) => maskPhone(m));
}

/** The options of every process logger (tests build a logger on a memory stream with them). */
export const LOGGER_OPTIONS: pino.LoggerOptions = {
  level: 'info', // entry points set logger.level from the config
  base: { pid: process.pid },
  redact: { paths: redactPaths(), censor: '***' },
  hooks: { streamWrite: maskPersonalData },
};

/** The process logger. Personal data must never be passed to it unmasked; redaction and masking are the safety net. */
export const logger = pino(LOGGER_OPTIONS);

export type Logger = typeof logger;
