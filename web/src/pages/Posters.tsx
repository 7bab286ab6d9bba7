/**
 * 入会二维码: each grassroots union in the caller's scope, with its poster
 * (扫码入会) to print — as PNG (rendered here from the server's vector poster
 * at A4, 300 dpi) or SVG — and the bare QR code. A county or city may hold
 * thousands of unions: the page shows 12 at a time, with a search by name or
 * code, so only the posters on screen are fetched.
 */
import { useEffect, useState } from 'react';
import { Button, Card, Col, Empty, Image, Input, Pagination, Row, Space, Tag, Typography } from 'antd';
import { DownloadOutlined, LinkOutlined } from '@ant-design/icons';
import { download, fetchBlob, get, saveBlob } from '../api';
import { useLoad } from '../components/useLoad';
import { ErrorAlert } from '../components/ErrorAlert';
import { useI18n } from '../i18n';
import { useSession, type OrgInfo } from '../session';

/** Draws an SVG poster onto a canvas at `scale` and returns it as PNG. */
async function svgToPng(svg: Blob, scale: number): Promise<Blob> {
  const url = URL.createObjectURL(svg);
  try {
    const img = new window.Image();
    img.decoding = 'async';
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('海报图片无法加载 / the poster image could not be loaded'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(img.naturalWidth * scale);
    canvas.height = Math.round(img.naturalHeight * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('浏览器不支持画布 / no canvas support');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG 生成失败 / PNG export failed'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

function PosterCard({ union, parent, groupNames }: { union: OrgInfo; parent?: string; groupNames: Map<string, string> }) {
  const { t } = useI18n();
  const [preview, setPreview] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const base = `/api/orgs/${encodeURIComponent(union.id)}/join-poster`;
  const joinUrl = `${location.origin}/join?union=${encodeURIComponent(union.id)}`;

  useEffect(() => {
    let url: string | null = null;
    fetchBlob(`${base}.svg`)
      .then((b) => {
        url = URL.createObjectURL(b);
        setPreview(url);
      })
      .catch(setError);
    return () => {
      if (url) URL.revokeObjectURL(url);
    };
  }, [base]);

  const run = async (what: string, fn: () => Promise<void>) => {
    setBusy(what);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <Card size="small" title={union.name} extra={parent && <Tag>{parent}</Tag>} data-testid={`poster-${union.id}`}>
      <div style={{ textAlign: 'center', background: '#fafafa', padding: 8, minHeight: 240 }}>
        {preview && <Image src={preview} alt={`${t('扫码入会')} · ${union.name}`} height={300} />}
      </div>
      <ErrorAlert error={error} style={{ marginTop: 8 }} />
      <Space wrap style={{ marginTop: 12 }}>
        <Button
          type="primary"
          icon={<DownloadOutlined />}
          loading={busy === 'png'}
          onClick={() => run('png', async () => saveBlob(await svgToPng(await fetchBlob(`${base}.svg`), 2), `扫码入会海报-${union.name}.png`))}
          data-testid="poster-png"
        >
          {t('下载海报')} PNG
        </Button>
        <Button
          icon={<DownloadOutlined />}
          loading={busy === 'svg'}
          onClick={() => run('svg', () => download(`${base}.svg?download`, `扫码入会海报-${union.name}.svg`))}
        >
          {t('下载海报')} SVG
        </Button>
        <Button
          icon={<DownloadOutlined />}
          loading={busy === 'qr'}
          onClick={() => run('qr', () => download(`${base}.png?download`, `扫码入会二维码-${union.name}.png`))}
        >
          {t('下载二维码')}
        </Button>
      </Space>
      <Typography.Paragraph copyable={{ text: joinUrl }} type="secondary" style={{ marginTop: 8, marginBottom: 0, fontSize: 12 }}>
        <LinkOutlined /> {joinUrl}
      </Typography.Paragraph>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('覆盖群体')}：{union.groups.map((g) => groupNames.get(g) ?? g).join('、') || '—'}
      </Typography.Text>
    </Card>
  );
}

const PAGE_SIZE = 12;

export default function Posters() {
  const { t } = useI18n();
  const { orgs, orgName } = useSession();
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const term = q.trim().toLowerCase();
  const unions = orgs.filter((o) => o.kind === 'grassroots' && (!term || o.name.toLowerCase().includes(term) || o.id.toLowerCase().includes(term)));
  const shown = unions.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  const groups = useLoad(() => get<{ items: { id: string; name: string }[] }>('/api/groups'), []);
  const groupNames = new Map((groups.data?.items ?? []).map((g) => [g.id, g.name]));
  return (
    <Card title={t('入会二维码')}>
      <Typography.Paragraph type="secondary">
        {t('每个基层工会一张海报：职工扫码即进入本工会的入会申请，无需注册。海报可直接打印张贴（A4）。')}
      </Typography.Paragraph>
      <Input.Search
        allowClear
        placeholder={t('按工会名称或编码查找')}
        style={{ maxWidth: 360, marginBottom: 16 }}
        onSearch={(v) => (setQ(v), setPage(1))}
        data-testid="poster-search"
      />
      {unions.length === 0 && <Empty description={term ? t('无匹配的工会') : t('您的范围内没有基层工会')} />}
      <Row gutter={[16, 16]}>
        {shown.map((u) => (
          <Col xs={24} md={12} xl={8} key={u.id}>
            <PosterCard union={u} parent={u.parent ? orgName(u.parent) : undefined} groupNames={groupNames} />
          </Col>
        ))}
      </Row>
      {unions.length > PAGE_SIZE && (
        <Pagination
          style={{ marginTop: 16 }}
          current={page}
          pageSize={PAGE_SIZE}
          total={unions.length}
          showSizeChanger={false}
          onChange={setPage}
          showTotal={(n) => `${t('共')} ${n}`}
        />
      )}
    </Card>
  );
}
