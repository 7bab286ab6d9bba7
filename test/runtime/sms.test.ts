/**
 * The SMS providers' own logic, without a network: the Tencent Cloud adapter's
 * request mapping and its reading of Tencent's per-number answer, the text
 * the outbox stores, and which provider a configuration gets (production
 * without one is warned about by the API and answers 503; the development
 * outbox is refused in production).
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../runtime/config';
import { smsText, tencentRequest, tencentSender, type TencentSmsClient, type TencentSmsSettings } from '../../runtime/sms';

const SETTINGS: TencentSmsSettings = {
  secretId: 'AKIDexample',
  secretKey: 'secret',
  sdkAppId: '1400006666',
  signName: '平顶山市总工会',
  templateId: '1234567',
  region: 'ap-guangzhou',
};
const MESSAGE = { phone: '13812345678', code: '042917', purpose: 'join' as const, validMinutes: 5 };

describe('the Tencent Cloud SMS adapter (request mapping only: nothing is sent here)', () => {
  it('maps a code to SendSms: the number with +86, the app, signature and template, the code and its minutes as the template parameters', () => {
    expect(tencentRequest(SETTINGS, MESSAGE)).toEqual({
      PhoneNumberSet: ['+8613812345678'],
      SmsSdkAppId: '1400006666',
      SignName: '平顶山市总工会',
      TemplateId: '1234567',
      TemplateParamSet: ['042917', '5'],
    });
  });

  it('passes the request to the SDK client and treats anything but Code "Ok" as not sent', async () => {
    const requests: unknown[] = [];
    const client = (code: string): TencentSmsClient => ({
      SendSms(req) {
        requests.push(req);
        return Promise.resolve({
          SendStatusSet: [{ Code: code, Message: code === 'Ok' ? 'send success' : 'template mismatch', SerialNo: 's1' }],
          RequestId: 'r1',
        });
      },
    });
    await tencentSender(SETTINGS, client('Ok')).send(MESSAGE);
    expect(requests).toEqual([tencentRequest(SETTINGS, MESSAGE)]);
    await expect(tencentSender(SETTINGS, client('FailedOperation.TemplateParamSetNotMatchApprovedTemplate')).send(MESSAGE)).rejects.toThrow(
      /FailedOperation\.TemplateParamSetNotMatchApprovedTemplate/,
    );
    const empty: TencentSmsClient = { SendSms: () => Promise.resolve({ RequestId: 'r2' }) };
    await expect(tencentSender(SETTINGS, empty).send(MESSAGE)).rejects.toThrow(/no status/);
  });

  it('builds the SDK client from the settings without calling out', () => {
    expect(tencentSender(SETTINGS).provider).toBe('tencent');
  });
});

describe('the outbox text', () => {
  it('says what the code is for, the code and its validity, in Chinese', () => {
    expect(smsText(MESSAGE)).toBe('【工会入会】您正在申请入会，验证码 042917，5 分钟内有效。如非本人操作，请忽略本短信。');
    expect(smsText({ ...MESSAGE, purpose: 'status' })).toContain('查询入会进度');
  });
});

describe('SMS configuration', () => {
  const PRODUCTION = {
    NODE_ENV: 'production',
    JWT_SECRET: 'j'.repeat(40),
    PII_KEYS: `k1:${Buffer.alloc(32, 3).toString('base64')}`,
    PII_HASH_KEY: Buffer.alloc(32, 4).toString('base64'),
  };
  it('SMS_PROVIDER=tencent needs each of its variables, named', () => {
    expect(() => loadConfig({ SMS_PROVIDER: 'tencent', SMS_SECRET_ID: 'x' })).toThrow(
      /SMS_SECRET_KEY[\s\S]*SMS_SDK_APP_ID[\s\S]*SMS_SIGN_NAME[\s\S]*SMS_TEMPLATE_ID/,
    );
    const ok = loadConfig({
      ...PRODUCTION,
      SMS_PROVIDER: 'tencent',
      SMS_SECRET_ID: 'id',
      SMS_SECRET_KEY: 'key',
      SMS_SDK_APP_ID: '1400006666',
      SMS_SIGN_NAME: '平顶山市总工会',
      SMS_TEMPLATE_ID: '1234567',
    });
    expect(ok.SMS_REGION).toBe('ap-guangzhou');
  });

  it('refuses the development outbox in production; production without a provider starts (the API warns, code requests answer 503)', () => {
    expect(() => loadConfig({ ...PRODUCTION, SMS_PROVIDER: 'outbox' })).toThrow(/SMS_PROVIDER: 生产环境不能使用开发用短信发件箱/);
    expect(loadConfig(PRODUCTION).SMS_PROVIDER).toBeUndefined();
    expect(loadConfig({}).SMS_PROVIDER).toBeUndefined();
  });
});
