/**
 * 附件: an application's files — the list (name, size, who uploaded it and
 * when), each downloaded with the token (the server always sends a file as an
 * attachment, never shown inline), and an upload control for those who may
 * add files. The browser checks type and size first so a wrong file is
 * refused at once; the server sniffs the real type and has the last word.
 */
import { useState } from 'react';
import { App, Button, List, Progress, Typography, Upload } from 'antd';
import { PaperClipOutlined, UploadOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { download, get, uploadFile } from '../api';
import { ErrorAlert } from './ErrorAlert';
import { useLoad } from './useLoad';
import { useI18n } from '../i18n';

export interface AttachmentView {
  id: string;
  name: string;
  size: number;
  type: string;
  uploadedBy?: string;
  uploadedByName?: string;
  at?: string;
}

/** What the server accepts (api/attachments.ts): PDF, PNG, JPEG and xlsx, up to 10 MB each. */
export const ATTACHMENT_ACCEPT = '.pdf,.png,.jpg,.jpeg,.xlsx';
export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
const EXTENSIONS = ATTACHMENT_ACCEPT.split(',').map((e) => e.slice(1));

/** Why the browser refuses a file before sending it (null: send it). */
export function attachmentProblem(file: { name: string; size: number }, t: (s: string, v?: Record<string, string | number>) => string): string | null {
  const ext = file.name.includes('.') ? file.name.slice(file.name.lastIndexOf('.') + 1).toLowerCase() : '';
  if (!EXTENSIONS.includes(ext)) return t('{name}：只能上传 PDF、图片（PNG、JPEG）或 Excel（xlsx）文件', { name: file.name });
  if (file.size > ATTACHMENT_MAX_BYTES) return t('{name}：文件超过 10 MB', { name: file.name });
  return null;
}

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function AttachmentHint() {
  const { t } = useI18n();
  return (
    <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="attachment-hint">
      {t('支持 PDF、图片（PNG、JPEG）、Excel（xlsx），单个文件不超过 10 MB')}
    </Typography.Text>
  );
}

/** The application's attachments, with an upload control when `canUpload`. */
export function Attachments({ applicationId, canUpload, taskId }: { applicationId: string; canUpload: boolean; taskId?: string }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const list = useLoad(() => get<{ items: AttachmentView[] }>(`/api/applications/${encodeURIComponent(applicationId)}/attachments`), [applicationId]);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);

  const send = async (file: File) => {
    const problem = attachmentProblem(file, t);
    if (problem) return setError(new Error(problem));
    setError(null);
    setProgress(0);
    try {
      const a = await uploadFile<AttachmentView>(`/api/applications/${encodeURIComponent(applicationId)}/attachments`, file, taskId ? { taskId } : {}, (p) =>
        setProgress(Math.round(p * 100)),
      );
      void message.success(t('已上传附件：{name}', { name: a.name }));
      await list.reload();
    } catch (e) {
      setError(e);
    } finally {
      setProgress(null);
    }
  };

  return (
    <div data-testid="attachments">
      <ErrorAlert error={list.error} />
      <List<AttachmentView>
        size="small"
        loading={list.loading && !list.data}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: t('暂无附件') }}
        renderItem={(a) => (
          <List.Item data-testid="attachment-item">
            <Button
              type="link"
              icon={<PaperClipOutlined />}
              style={{ paddingInline: 0, maxWidth: '100%', whiteSpace: 'normal', textAlign: 'start', height: 'auto' }}
              onClick={() => void download(`/api/attachments/${encodeURIComponent(a.id)}`, a.name).catch((e: unknown) => setError(e))}
            >
              {a.name}
            </Button>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {fileSize(a.size)}
              {a.uploadedByName ? ` · ${a.uploadedByName}` : ''}
              {a.at ? ` · ${dayjs(a.at).format('YYYY-MM-DD HH:mm')}` : ''}
            </Typography.Text>
          </List.Item>
        )}
      />
      <ErrorAlert error={error} style={{ marginTop: 8 }} />
      {canUpload && (
        <div style={{ marginTop: 8 }}>
          <Upload
            accept={ATTACHMENT_ACCEPT}
            showUploadList={false}
            beforeUpload={(file) => {
              void send(file);
              return false;
            }}
          >
            <Button icon={<UploadOutlined />} loading={progress !== null} data-testid="attachment-upload">
              {t('上传附件')}
            </Button>
          </Upload>
          {progress !== null && <Progress percent={progress} size="small" />}
          <div>
            <AttachmentHint />
          </div>
        </div>
      )}
    </div>
  );
}
