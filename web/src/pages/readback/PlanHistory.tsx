/** 实施方案历次版本: every version of a region's plan, newest first, with who sent it and when (Beijing time). */
import { Collapse, Descriptions, Tag, Typography } from 'antd';
import { useI18n } from '../../i18n';
import type { PlanVersion } from './types';

export function PlanHistory({ versions }: { versions: PlanVersion[] }) {
  const { t } = useI18n();
  if (!versions.length) return null;
  return (
    <div data-testid="plan-history" style={{ marginTop: 24 }}>
      <Typography.Title level={5}>{t('历次报送')}</Typography.Title>
      <Collapse
        size="small"
        defaultActiveKey={[]}
        items={versions.map((v, i) => ({
          key: String(v.version),
          label: (
            <span>
              {t('第 {n} 版', { n: v.version })} {i === 0 && <Tag color="green">{t('当前版本')}</Tag>} · {v.byName ?? t('未记录')} · {v.submittedAtBeijing}（
              {t('北京时间')}）
            </span>
          ),
          children: (
            <Descriptions
              size="small"
              column={1}
              bordered
              items={[
                { key: 's', label: t('方案概述'), children: v.plan.summary },
                {
                  key: 'm',
                  label: t('工作措施'),
                  children: (
                    <ol style={{ margin: 0, paddingInlineStart: 20 }}>
                      {v.plan.measures.map((m, j) => (
                        <li key={j}>{m}</li>
                      ))}
                    </ol>
                  ),
                },
                {
                  key: 'd',
                  label: t('节点时间（倒排工期）'),
                  children:
                    Object.entries(v.plan.dueDates ?? {})
                      .map(([k, d]) => `${k}：${d}`)
                      .join('；') || '—',
                },
              ]}
            />
          ),
        }))}
      />
    </div>
  );
}
