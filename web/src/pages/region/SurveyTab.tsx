/**
 * 摸底上传: a region uploads its survey as an xlsx workbook or a CSV file
 * (UTF-8 or GBK, as Excel and WPS save it), from the server's template
 * (下载模板, xlsx or CSV: Chinese headers, examples, the allowed values). The upload shows its progress; the answer lists
 * every rejected row with its reasons, downloadable as a CSV of the original
 * rows plus a reason column, so the region fixes that file and uploads it
 * again. Below, the region's gap list (建会空白点) with its export.
 */
import { useState } from 'react';
import { Alert, Button, Card, Col, Descriptions, Progress, Row, Space, Statistic, Table, Tag, Typography, Upload } from 'antd';
import { DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { ApiError, csvBlob, download, get, parseCsv, saveBlob, uploadText } from '../../api';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useLoad } from '../../components/useLoad';
import { useI18n } from '../../i18n';
import { ATTITUDES, CLASSIFICATIONS, label } from '../../labels';
import type { CampaignView } from '../CampaignDashboard';
import { PhaseNote } from '../RegionWork';

interface RejectedRow {
  row: number;
  errors: { field: string; message: string }[];
}
interface UploadResult {
  batchId: string;
  accepted: number;
  inserted: number;
  updated: number;
  rejected: RejectedRow[];
  classified?: Record<string, number>;
  ignoredColumns?: string[];
}
interface GapItem {
  id: string;
  name: string;
  creditCode: string | null;
  employees: number;
  groupCounts: Record<string, number>;
  reasonNoUnion: string | null;
  employerAttitude: string | null;
  classification: string;
}
interface Gaps {
  counts: Record<string, number> & { total: number; crossedOff: number };
  headcount: { employees: number; byGroup: Record<string, number> };
  items: GapItem[];
  nextCursor: string | null;
}

/** The Chinese heading of a rejected field ('groupCounts.courier' → 重点群体人数.courier). */
export function fieldLabel(field: string, lang: 'zh' | 'en'): string {
  if (lang === 'en') return field;
  const [head, ...rest] = field.split('.');
  return [FIELD_LABELS[head!] ?? head, ...rest].join('.');
}

export const FIELD_LABELS: Record<string, string> = {
  name: '企业名称',
  creditCode: '统一社会信用代码',
  address: '地址',
  region: '所属地区',
  employees: '职工人数',
  groupCounts: '重点群体人数',
  hasUnion: '是否建会',
  reasonNoUnion: '未建会原因',
  employerAttitude: '法人态度',
  operatingSince: '开业日期',
};

/** Reads a CSV file as Excel or WPS saved it: UTF-8 (with or without BOM), else GBK. */
async function readCsvFile(file: File): Promise<{ text: string; encoding: string }> {
  const buf = await file.arrayBuffer();
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(buf), encoding: 'UTF-8' };
  } catch {
    return { text: new TextDecoder('gbk').decode(buf), encoding: 'GBK' };
  }
}

export function SurveyTab({ campaign, org, onChanged }: { campaign: CampaignView; org: string; onChanged(): void }) {
  const { t, lang, m } = useI18n();
  const [stage, setStage] = useState<'idle' | 'uploading' | 'processing' | 'done'>('idle');
  const [sent, setSent] = useState(0);
  const [file, setFile] = useState<{ name: string; text: string; encoding: string } | null>(null);
  const [result, setResult] = useState<UploadResult | null>(null);
  const [rejected, setRejected] = useState<RejectedRow[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [exportError, setExportError] = useState<unknown>(null);
  const base = `/api/campaigns/${encodeURIComponent(campaign.id)}/regions/${encodeURIComponent(org)}`;
  const gaps = useLoad(() => get<Gaps>(`${base}/gaps?limit=500`), [base]);

  const upload = async (f: File) => {
    setError(null);
    setResult(null);
    setRejected([]);
    setSent(0);
    // A workbook goes as it is (the server reads its first sheet); a CSV is decoded here (UTF-8 or GBK) and sent as UTF-8.
    const xlsx = /\.xlsx$/i.test(f.name);
    let read;
    try {
      read = xlsx ? { text: '', encoding: 'xlsx' } : await readCsvFile(f);
    } catch (e) {
      setError(e);
      return;
    }
    setFile({ name: f.name, ...read });
    setStage('uploading');
    try {
      const body = xlsx ? f : read.text;
      const r = await uploadText<UploadResult>(`${base}/enterprises`, body, xlsx ? XLSX_TYPE : 'text/csv; charset=utf-8', (x) => {
        setSent(x);
        if (x >= 1) setStage('processing');
      });
      setResult(r);
      setRejected(r.rejected);
      void gaps.reload();
      onChanged();
    } catch (e) {
      setError(e);
      // Every row rejected: the 400 still lists them.
      if (e instanceof ApiError && Array.isArray(e.problem.rejected)) setRejected(e.problem.rejected as RejectedRow[]);
    } finally {
      setStage('done');
    }
  };

  const records = file ? parseCsv(file.text) : [];
  const header = records[0] ?? [];
  const nameCol = header.findIndex((h) => ['name', '企业名称', '单位名称', '名称'].includes(h.trim()));
  const reasonText = (r: RejectedRow) => r.errors.map((e) => `${fieldLabel(e.field, 'zh')}：${m(e.message)}`).join('；');

  const downloadRejected = () => {
    // A CSV's rejected rows come back with their cells; a workbook's (not read here) with their row numbers.
    const rows = records.length
      ? [[...header, '错误原因'], ...rejected.map((r) => [...(records[r.row] ?? []), reasonText(r)])]
      : [['行号', '错误原因'], ...rejected.map((r) => [r.row, reasonText(r)])];
    saveBlob(csvBlob(rows), `摸底错误行-${org}-${file?.name.replace(/\.(?:csv|xlsx)$/i, '') ?? ''}.csv`);
  };

  const downloadTemplate = (format: 'xlsx' | 'csv') => {
    setExportError(null);
    download(`${base}/survey-template?format=${format}`, `摸底企业模板.${format}`).catch(setExportError);
  };

  return (
    <div>
      <PhaseNote campaign={campaign} tab="survey" />
      <Row gutter={16}>
        <Col xs={24} lg={12}>
          <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', marginBottom: 8 }}>
            <Typography.Text strong>{t('上传摸底数据（五清）')}</Typography.Text>
            <Space size={4}>
              <Button size="small" icon={<DownloadOutlined />} onClick={() => downloadTemplate('xlsx')} data-testid="survey-template-xlsx">
                {t('下载模板（xlsx）')}
              </Button>
              <Button size="small" onClick={() => downloadTemplate('csv')} data-testid="survey-template-csv">
                CSV
              </Button>
            </Space>
          </div>
          <Upload.Dragger
            accept=".xlsx,.csv,text/csv"
            multiple={false}
            showUploadList={false}
            disabled={stage === 'uploading' || stage === 'processing'}
            beforeUpload={(f) => {
              void upload(f);
              return false;
            }}
            data-testid="survey-upload"
          >
            <p className="ant-upload-drag-icon">
              <InboxOutlined />
            </p>
            <p className="ant-upload-text">{t('点击或拖入摸底文件（xlsx 或 CSV）')}</p>
            <p className="ant-upload-hint">
              {t(
                '第一行为表头（企业名称、职工人数、是否建会……）；单元格填中文名称即可：重点群体如“快递员:30”，所属地区填本地区工会名称，法人态度如“反对”；CSV 支持 UTF-8 与 GBK 编码',
              )}
            </p>
          </Upload.Dragger>
        </Col>
        <Col xs={24} lg={12}>
          {stage !== 'idle' && (
            <Card
              size="small"
              title={
                file ? (file.encoding === 'xlsx' ? file.name : `${file.name}（${file.encoding}，${Math.max(0, records.length - 1)} ${t('行')}）`) : t('上传')
              }
              data-testid="upload-status"
            >
              {(stage === 'uploading' || stage === 'processing') && (
                <>
                  <Progress percent={Math.round(sent * 100)} status="active" />
                  <Typography.Text type="secondary">{stage === 'uploading' ? t('正在上传…') : t('正在校验、分类并写入台账…')}</Typography.Text>
                </>
              )}
              {stage === 'done' && result && (
                <Space orientation="vertical" style={{ width: '100%' }}>
                  <Alert
                    type={result.rejected.length ? 'warning' : 'success'}
                    showIcon
                    data-testid="upload-result"
                    title={t('已接收 {accepted} 行（新增 {inserted}，更新 {updated}），拒绝 {rejected} 行', {
                      accepted: result.accepted,
                      inserted: result.inserted,
                      updated: result.updated,
                      rejected: result.rejected.length,
                    })}
                  />
                  {result.classified && (
                    <Space wrap>
                      {Object.entries(result.classified)
                        .filter(([, n]) => n > 0)
                        .map(([k, n]) => (
                          <Tag key={k}>
                            {label(CLASSIFICATIONS, k, lang)}：{n}
                          </Tag>
                        ))}
                    </Space>
                  )}
                  {result.ignoredColumns?.length ? (
                    <Typography.Text type="secondary">{t('未识别的列已忽略：{cols}', { cols: result.ignoredColumns.join('、') })}</Typography.Text>
                  ) : null}
                </Space>
              )}
              {stage === 'done' && <ErrorAlert error={error} fields={[]} style={{ marginBottom: 0 }} />}
            </Card>
          )}
        </Col>
      </Row>

      {rejected.length > 0 && (
        <Card
          size="small"
          style={{ marginTop: 16 }}
          title={
            <span style={{ color: '#cf1322' }}>
              {t('被拒绝的行')}（{rejected.length}）
            </span>
          }
          extra={
            <Button icon={<DownloadOutlined />} onClick={downloadRejected} data-testid="download-rejected">
              {t('下载错误行')}
            </Button>
          }
          data-testid="rejected-rows"
        >
          <Typography.Paragraph type="secondary">
            {t('下载错误行，按“错误原因”一列改正后重新上传即可；其余行已入库，重复上传按企业更新，不会重复登记。')}
          </Typography.Paragraph>
          <Table
            size="small"
            rowKey="row"
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            dataSource={rejected}
            columns={[
              { title: t('行号'), dataIndex: 'row', width: 70 },
              { title: t('企业名称'), width: 220, render: (_: unknown, r: RejectedRow) => (nameCol >= 0 ? records[r.row]?.[nameCol] : '') || '—' },
              {
                title: t('错误原因'),
                render: (_: unknown, r: RejectedRow) => (
                  <Space orientation="vertical" size={0}>
                    {r.errors.map((e, i) => (
                      <span key={i}>
                        <Tag color="red">{fieldLabel(e.field, lang)}</Tag>
                        {m(e.message)}
                      </span>
                    ))}
                  </Space>
                ),
              },
            ]}
          />
        </Card>
      )}

      <Card
        size="small"
        style={{ marginTop: 16 }}
        title={t('建会空白点')}
        extra={
          <Button
            icon={<DownloadOutlined />}
            onClick={() => (setExportError(null), download(`${base}/gaps?format=csv`, `建会空白点-${org}.csv`).catch(setExportError))}
          >
            {t('导出 CSV')}
          </Button>
        }
      >
        <ErrorAlert error={gaps.error ?? exportError} />
        {gaps.data && (
          <>
            <Descriptions
              size="small"
              column={{ xs: 2, md: 5 }}
              items={[
                { key: 'total', label: t('建会目标企业'), children: gaps.data.counts.total },
                { key: 'm', label: label(CLASSIFICATIONS, 'own_union_mandatory', lang), children: gaps.data.counts.own_union_mandatory ?? 0 },
                { key: 'o', label: label(CLASSIFICATIONS, 'own_union', lang), children: gaps.data.counts.own_union ?? 0 },
                { key: 'j', label: label(CLASSIFICATIONS, 'joint_coverage', lang), children: gaps.data.counts.joint_coverage ?? 0 },
                { key: 'x', label: t('已销号'), children: gaps.data.counts.crossedOff },
              ]}
            />
            <Row gutter={16} style={{ margin: '8px 0' }}>
              <Col>
                <Statistic title={t('目标企业职工')} value={gaps.data.headcount.employees} />
              </Col>
            </Row>
          </>
        )}
        <Table<GapItem>
          size="small"
          rowKey="id"
          loading={gaps.loading}
          dataSource={gaps.data?.items ?? []}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          data-testid="gap-table"
          columns={[
            { title: t('企业名称'), dataIndex: 'name' },
            { title: t('职工人数'), dataIndex: 'employees', width: 100 },
            { title: t('分类'), dataIndex: 'classification', render: (v: string) => label(CLASSIFICATIONS, v, lang) },
            { title: t('法人态度'), dataIndex: 'employerAttitude', width: 100, render: (v: string | null) => label(ATTITUDES, v, lang) || '—' },
            { title: t('未建会原因'), dataIndex: 'reasonNoUnion', render: (v: string | null) => v ?? '—' },
          ]}
        />
      </Card>
    </div>
  );
}
