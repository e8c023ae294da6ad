import { Alert } from 'antd';
import { usePoolNames } from '../../components/pools';
import { useI18n } from '../../i18n';

/** What a run's `unpriced` lists: usage on a pool from an instant on that no rate card prices. */
export interface Unpriced {
  /** null: hosted equipment, with no self-managed pool to price it at. */
  poolId: string | null;
  from: string;
}

/**
 * Why a draft cannot be finalised yet: each pool (by name, as rate cards name it) with usage no card
 * prices, and from when, so finance knows which card to add.
 */
export function UnpricedWarning({ unpriced }: { unpriced: Unpriced[] }) {
  const { t, time } = useI18n();
  const poolName = usePoolNames(unpriced.length > 0);
  if (unpriced.length === 0) return null;
  const pool = (id: string | null) => (id === null ? t('rebill.unpricedHosting') : (poolName.get(id) ?? id));
  return (
    <Alert
      type="warning"
      showIcon
      style={{ marginBottom: 16 }}
      title={t('rebill.unpriced')}
      description={
        <ul style={{ margin: 0, paddingLeft: 20 }}>
          {unpriced.map((u) => (
            <li key={`${u.poolId}-${u.from}`}>
              {t('rebill.unpricedPool', { pool: pool(u.poolId), from: time(u.from) })}
            </li>
          ))}
        </ul>
      }
    />
  );
}
