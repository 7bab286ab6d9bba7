/**
 * Sending one-time codes by SMS (短信验证码). One interface, two providers:
 *
 * - `tencent`: Tencent Cloud SMS (tencentcloud-sdk-nodejs-sms, API 2021-01-11),
 *   configured by SMS_SECRET_ID, SMS_SECRET_KEY, SMS_SDK_APP_ID, SMS_SIGN_NAME,
 *   SMS_TEMPLATE_ID, SMS_REGION. The template has two parameters: the code and
 *   its validity in minutes (e.g. 「您的验证码为{1}，{2}分钟内有效」).
 * - `outbox`: development only. Nothing leaves the machine: each message is a
 *   row of `sms_outbox` (the phone masked and as its keyed hash, never in
 *   clear) that admins read on the 短信发件箱 page.
 *
 * The text never goes to the log; the phone only masked.
 */
import { sms } from 'tencentcloud-sdk-nodejs-sms';
import type { Db } from '../db/knex';
import { maskPhone } from '../domain/id-number';
import type { PiiCipher } from './pii';

export type SmsPurpose = 'join' | 'status';

export interface SmsMessage {
  /** 11-digit mainland mobile number. */
  phone: string;
  code: string;
  purpose: SmsPurpose;
  validMinutes: number;
}

export interface SmsSender {
  readonly provider: 'tencent' | 'outbox';
  send(message: SmsMessage): Promise<void>;
}

const PURPOSE_TEXT: Record<SmsPurpose, string> = { join: '申请入会', status: '查询入会进度' };

/** The message as a person reads it (the outbox shows it; Tencent's template says the same). */
export function smsText(m: SmsMessage): string {
  return `【工会入会】您正在${PURPOSE_TEXT[m.purpose]}，验证码 ${m.code}，${m.validMinutes} 分钟内有效。如非本人操作，请忽略本短信。`;
}

/** The development provider: one `sms_outbox` row per message. */
export function outboxSender(db: Db, pii: PiiCipher): SmsSender {
  return {
    provider: 'outbox',
    async send(m) {
      await db('sms_outbox').insert({ phone_hash: pii.hash(m.phone), phone_masked: maskPhone(m.phone), text: smsText(m) });
    },
  };
}

export interface TencentSmsSettings {
  secretId: string;
  secretKey: string;
  sdkAppId: string;
  signName: string;
  templateId: string;
  region: string;
}

/** The part of the SDK's client the adapter uses (a test passes its own). */
export interface TencentSmsClient {
  SendSms(req: {
    PhoneNumberSet: string[];
    SmsSdkAppId: string;
    SignName?: string;
    TemplateId: string;
    TemplateParamSet?: string[];
  }): Promise<{ SendStatusSet?: { Code?: string; Message?: string; SerialNo?: string }[]; RequestId?: string }>;
}

/** The SendSms request for one message: the number with +86, the code and its minutes as the template's parameters. */
export function tencentRequest(s: TencentSmsSettings, m: SmsMessage) {
  return {
    PhoneNumberSet: [`+86${m.phone}`],
    SmsSdkAppId: s.sdkAppId,
    SignName: s.signName,
    TemplateId: s.templateId,
    TemplateParamSet: [m.code, String(m.validMinutes)],
  };
}

export function tencentSender(s: TencentSmsSettings, client?: TencentSmsClient): SmsSender {
  const c: TencentSmsClient =
    client ??
    new sms.v20210111.Client({
      credential: { secretId: s.secretId, secretKey: s.secretKey },
      region: s.region,
      profile: { httpProfile: { reqTimeout: 10 } },
    });
  return {
    provider: 'tencent',
    async send(m) {
      const res = await c.SendSms(tencentRequest(s, m));
      const status = res.SendStatusSet?.[0];
      // Tencent answers per number: anything but "Ok" is a failure to send (the code stays unusable for the person).
      if (!status || status.Code !== 'Ok')
        throw new Error(`Tencent SMS refused: ${status?.Code ?? 'no status'} ${status?.Message ?? ''} (${res.RequestId ?? ''})`);
    },
  };
}

/**
 * The sender the configuration names: Tencent Cloud, the development outbox (the default outside production), or
 * none (production without SMS_PROVIDER: the caller warns, and code requests answer 503).
 */
export function smsSenderFromConfig(
  config: {
    NODE_ENV: string;
    SMS_PROVIDER?: 'tencent' | 'outbox';
    SMS_SECRET_ID?: string;
    SMS_SECRET_KEY?: string;
    SMS_SDK_APP_ID?: string;
    SMS_SIGN_NAME?: string;
    SMS_TEMPLATE_ID?: string;
    SMS_REGION: string;
  },
  db: Db,
  pii: PiiCipher,
): SmsSender | null {
  const provider = config.SMS_PROVIDER ?? (config.NODE_ENV === 'production' ? undefined : 'outbox');
  if (provider === 'outbox') return outboxSender(db, pii);
  if (provider === 'tencent')
    return tencentSender({
      secretId: config.SMS_SECRET_ID!,
      secretKey: config.SMS_SECRET_KEY!,
      sdkAppId: config.SMS_SDK_APP_ID!,
      signName: config.SMS_SIGN_NAME!,
      templateId: config.SMS_TEMPLATE_ID!,
      region: config.SMS_REGION,
    });
  return null;
}
