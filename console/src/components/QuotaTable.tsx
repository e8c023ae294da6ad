import { Progress, Table } from 'antd';
import { useI18n } from '../i18n';
import { QUOTA_DIMENSIONS, type QuotaAmounts, type QuotaDimension, type QuotaView } from '../shared';

/**
 * Limit, use, what was handed to departments below, and what is left, per dimension; with `asking`,
 * what a form is about to ask, marked red where it does not fit.
 */
export function QuotaTable({ quota, asking }: { quota: QuotaView; asking?: Partial<QuotaAmounts> }) {
  const { t } = useI18n();
  const rows = QUOTA_DIMENSIONS.map((dimension) => ({ dimension }));
  const percent = (d: QuotaDimension) =>
    quota.limits[d] > 0
      ? Math.round(
          ((quota.used[d] + quota.allocatedToChildren[d] + (asking?.[d] ?? 0)) / quota.limits[d]) * 100,
        )
      : 0;
  return (
    <Table
      size="small"
      rowKey="dimension"
      pagination={false}
      dataSource={rows}
      columns={[
        {
          title: t('quota.dimension'),
          dataIndex: 'dimension',
          render: (d: QuotaDimension) => t(`quota.dimension.${d}`),
        },
        { title: t('quota.limit'), key: 'limit', render: (_, { dimension: d }) => quota.limits[d] },
        { title: t('quota.used'), key: 'used', render: (_, { dimension: d }) => quota.used[d] },
        {
          title: t('quota.allocated'),
          key: 'allocated',
          render: (_, { dimension: d }) => quota.allocatedToChildren[d],
        },
        {
          title: t('quota.available'),
          key: 'available',
          render: (_, { dimension: d }) => (
            <span data-dimension={d}>
              {quota.available[d]}
              <Progress
                size="small"
                percent={Math.min(percent(d), 100)}
                status={(asking?.[d] ?? 0) > quota.available[d] ? 'exception' : 'normal'}
                showInfo={false}
              />
            </span>
          ),
        },
      ]}
    />
  );
}
