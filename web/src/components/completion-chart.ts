/**
 * The "completion by region" chart of the campaign dashboard and the bulletin:
 * new members against target as bars, the completion rate as a line (capped
 * at 100 %). Only the option is built here; EChart draws it.
 */
import type { ChartOption } from './EChart';

export interface RegionCompletion {
  name: string;
  target: number;
  members: number;
  /** Percent of the target reached. */
  completion: number;
}

export function completionChart(regions: RegionCompletion[], labels: { people: string; target: string; members: string; completion: string }): ChartOption {
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 48, top: 40, bottom: 60 },
    xAxis: { type: 'category', data: regions.map((r) => r.name), axisLabel: { interval: 0, rotate: regions.length > 5 ? 30 : 0 } },
    yAxis: [
      { type: 'value', name: labels.people },
      { type: 'value', name: '%', min: 0, max: 100 },
    ],
    series: [
      { name: labels.target, type: 'bar', data: regions.map((r) => r.target), itemStyle: { color: '#d9d9d9' } },
      { name: labels.members, type: 'bar', data: regions.map((r) => r.members), itemStyle: { color: '#c8102e' } },
      { name: labels.completion, type: 'line', yAxisIndex: 1, data: regions.map((r) => Math.min(100, r.completion)), itemStyle: { color: '#fa8c16' } },
    ],
  };
}
