/**
 * 批量导入会员: on the progress tab, a project's new members uploaded as an
 * xlsx workbook or a CSV file from the server's template (下载模板: Chinese
 * headers, example rows, a 说明 sheet) instead of one form row each. The
 * answer is shown back: how many were counted, how many were members already
 * (a number, never who), a file uploaded before (counted once); or, when any
 * row is wrong, nothing is imported and every bad row is listed with each bad
 * column by its Chinese heading.
 */
import { useState } from 'react';
import { Alert, Button, Card, Space, Table, Typography, Upload } from 'antd';
import { DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { ApiError, download, uploadText } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useI18n } from '../../i18n';
import type { CampaignView } from '../CampaignDashboard';
import { tabState } from '../RegionWork';
import type { ProjectView } from './ProjectsTab';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The upload's columns by their Chinese headings (domain/member-upload.ts MEMBER_COLUMNS). */
const COLUMN_LABELS: Record<string, string> = {
  name: '姓名',
  idNumber: '身份证号',
  phone: '手机号',
  group: '重点群体',
  employer: '工作单位',
  dispatched: '是否劳务派遣',
  agency: '派遣单位',
  '(row)': '整行',
};

interface RejectedRow {
  row: number;
  errors: { field: string; message: string }[];
}
interface UploadResult {
  rows: number;
  dispatched: number;
  repeated: boolean;
  membersAccepted: number;
  /** Put to real-name verification (待核验) by this upload: counted once a reviewer verifies them. */
  membersReported?: number;
  alreadyCounted: number;
  format: string;
}

/** Reads a CSV as Excel or WPS saved it: UTF-8 (with or without a BOM), else GBK. */
async function readCsv(file: File): Promise<string> {
  const buf = await file.arrayBuffer();
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return new TextDecoder('gbk').decode(buf);
  }
}

export function MemberBulkUpload({ campaign, project, onDone }: { campaign: CampaignView; project: ProjectView; onDone(): void }) {
  const { t, lang, m } = useI18n();
  const [busy, setBusy] = useState(false);
  const [fileName, setFileName] = useState('');
  const [result, setResult] = useState<UploadResult | null>(null);
  const [rejected, setRejected] = useState<RejectedRow[]>([]);
  const [error, setError] = useState<unknown>(null);
  const open = tabState(campaign, 'progress').open;
  const base = `/api/projects/${encodeURIComponent(project.id)}`;

  const send = async (f: File) => {
    setError(null);
    setResult(null);
    setRejected([]);
    setFileName(f.name);
    setBusy(true);
    try {
      const xlsx = /\.xlsx$/i.test(f.name);
      const body = xlsx ? f : await readCsv(f);
      const r = await uploadText<UploadResult>(`${base}/member-uploads`, body, xlsx ? XLSX_TYPE : 'text/csv; charset=utf-8', () => undefined);
      setResult(r);
      onDone();
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && Array.isArray(e.problem.rejected)) setRejected(e.problem.rejected as RejectedRow[]);
    } finally {
      setBusy(false);
    }
  };

  const template = (format: 'xlsx' | 'csv') => {
    setError(null);
    download(`${base}/member-template?format=${format}`, `会员导入模板-${project.name}.${format}`).catch(setError);
  };

  return (
    <Card
      size="small"
      style={{ marginTop: 16 }}
      title={t('批量导入会员')}
      data-testid="member-bulk-upload"
      extra={
        <Space size={4}>
          <Button size="small" icon={<DownloadOutlined />} onClick={() => template('xlsx')} data-testid="member-template-xlsx">
            {t('下载模板（xlsx）')}
          </Button>
          <Button size="small" onClick={() => template('csv')} data-testid="member-template-csv">
            CSV
          </Button>
        </Space>
      }
    >
      <Upload.Dragger
        accept=".xlsx,.csv,text/csv"
        multiple={false}
        showUploadList={false}
        disabled={busy || !open}
        beforeUpload={(f) => {
          void send(f);
          return false;
        }}
        data-testid="member-upload"
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">{t('点击或拖入会员名单（xlsx 或 CSV）')}</p>
        <p className="ant-upload-hint">
          {t(
            '每行一名会员：姓名、身份证号、手机号、重点群体（如“快递员”）、工作单位、是否劳务派遣、派遣单位；任何一行有误则整份不导入；同一文件重复上传不重复计数',
          )}
        </p>
      </Upload.Dragger>
      {busy && <Typography.Text type="secondary">{t('正在校验并导入 {file}…', { file: fileName })}</Typography.Text>}
      {result && (
        <Alert
          type={result.repeated || result.alreadyCounted ? 'warning' : 'success'}
          showIcon
          style={{ marginTop: 12 }}
          data-testid="member-upload-result"
          title={
            result.repeated
              ? t('{file} 已导入过，未重复计数（共 {n} 人）', { file: fileName, n: result.rows })
              : t('已导入 {file}：{n} 行，待实名核验会员 {m} 人', { file: fileName, n: result.rows, m: result.membersReported ?? result.membersAccepted })
          }
          description={[
            result.repeated ? '' : t('会员经审核员实名核验后计入'),
            result.alreadyCounted && !result.repeated ? t('另有 {n} 人本项目此前已报送，不再重复报送', { n: result.alreadyCounted }) : '',
            result.dispatched ? t('其中劳务派遣工 {n} 人', { n: result.dispatched }) : '',
          ]
            .filter(Boolean)
            .join('；')}
        />
      )}
      {error !== null && (
        <ErrorAlert
          error={error}
          style={{ marginTop: 12 }}
          // Bad rows are listed in the table below; a missing column is named by its Chinese heading.
          fields={
            error instanceof ApiError
              ? rejected.length
                ? []
                : error.fieldErrors.map((e) => ({ ...e, path: lang === 'zh' ? (COLUMN_LABELS[e.path] ?? e.path) : e.path }))
              : undefined
          }
        />
      )}
      {rejected.length > 0 && (
        <Table<RejectedRow>
          size="small"
          style={{ marginTop: 12 }}
          data-testid="member-upload-rejected"
          rowKey="row"
          pagination={rejected.length > 10 ? { pageSize: 10 } : false}
          dataSource={rejected}
          columns={[
            {
              title: t('行号'),
              dataIndex: 'row',
              width: 150,
              render: (row: number) => t('第 {n} 条（表格第 {x} 行）', { n: row, x: row + 1 }),
            },
            {
              title: t('错误'),
              render: (_: unknown, r) => (
                <Space orientation="vertical" size={0}>
                  {r.errors.map((e) => (
                    <span key={e.field}>
                      <Typography.Text strong>{lang === 'zh' ? (COLUMN_LABELS[e.field] ?? e.field) : e.field}</Typography.Text>
                      {lang === 'zh' ? '：' : ': '}
                      {m(e.message)}
                    </span>
                  ))}
                </Space>
              ),
            },
          ]}
        />
      )}
    </Card>
  );
}
