import { Alert, Card, Col, Descriptions, Row, Statistic } from 'antd';
import type { EChartsOption } from 'echarts';
import { useMemo } from 'react';
import { useAuth } from '../../auth';
import { Chart } from '../../components/Chart';
import { useApi } from '../../components/useApi';
import { useI18n } from '../../i18n';
import type { Counts, ReportRow } from '../../shared';

const PARTS = ['migrated', 'migrating', 'notMigrated', 'exemptedOrRetired'] as const;

/** Where the department's systems stand in the migration, against the city's next target. */
export function MigrationProgress() {
  const { t } = useI18n();
  const { user } = useAuth();
  const report = useApi<{ asOf: string; rows: ReportRow[]; totals: Counts }>(
    user?.departmentId ? `/reports/migration?departmentId=${user.departmentId}` : null,
  );
  const own = report.data?.rows.find((r) => r.departmentId === user?.departmentId);
  const option = useMemo<EChartsOption | null>(
    () =>
      own
        ? {
            tooltip: { trigger: 'item' },
            legend: { bottom: 0 },
            series: [
              {
                type: 'pie',
                radius: ['40%', '70%'],
                data: PARTS.map((p) => ({ name: t(`migrationProgress.${p}`), value: own[p] })),
              },
            ],
          }
        : null,
    [own, t],
  );

  return (
    <Card title={t('migrationProgress.title')}>
      {report.error && <Alert type="error" showIcon title={report.error} />}
      {own && option && (
        <Row gutter={24}>
          <Col xs={24} lg={10}>
            <Chart option={option} height={300} />
          </Col>
          <Col xs={24} lg={14}>
            <Row gutter={16} style={{ marginBottom: 24 }}>
              <Col span={8}>
                <Statistic title={t('migrationProgress.total')} value={own.total} />
              </Col>
              <Col span={8}>
                <Statistic title={t('migrationProgress.migrated')} value={own.migrated} />
              </Col>
              <Col span={8}>
                <Statistic
                  title={t('migrationProgress.rate')}
                  value={own.rate === null ? '—' : own.rate.toFixed(1)}
                  suffix={own.rate === null ? undefined : '%'}
                />
              </Col>
            </Row>
            <Descriptions column={1} bordered size="small">
              <Descriptions.Item label={t('migrationProgress.asOf')}>{report.data?.asOf}</Descriptions.Item>
              <Descriptions.Item label={t('migrationProgress.nextTarget')}>
                {own.nextTarget
                  ? t('migrationProgress.targetValue', {
                      date: own.nextTarget.dueDate,
                      percentage: own.nextTarget.percentage,
                    })
                  : '—'}
              </Descriptions.Item>
              <Descriptions.Item label={t('migrationProgress.gap')}>{own.gap ?? '—'}</Descriptions.Item>
            </Descriptions>
          </Col>
        </Row>
      )}
    </Card>
  );
}
