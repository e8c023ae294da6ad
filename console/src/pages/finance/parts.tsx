import { App, Button, InputNumber, Space } from 'antd';
import type { EChartsOption } from 'echarts';
import { download, type CallOptions } from '../../api';
import { formatMoney } from '../../components/money';
import { useI18n } from '../../i18n';

type Format = 'xlsx' | 'csv' | 'pdf';

/** One button per format the endpoint answers, downloading the file it names. */
export function DownloadButtons(props: {
  path: string;
  query?: CallOptions['query'];
  formats: readonly Format[];
  disabled?: boolean;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const save = async (format: Format) => {
    try {
      await download(props.path, { query: { ...props.query, format } });
    } catch (err) {
      message.error(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <Space wrap>
      {props.formats.map((format) => (
        <Button key={format} disabled={props.disabled} onClick={() => void save(format)}>
          {t('rebill.download', { format: format.toUpperCase() })}
        </Button>
      ))}
    </Space>
  );
}

/** The fiscal year a report is for. */
export function YearInput(props: { value: number; onChange(year: number): void }) {
  const { t } = useI18n();
  return (
    <InputNumber<number>
      aria-label={t('budgets.year')}
      min={2000}
      max={2100}
      value={props.value}
      onChange={(value) => value && props.onChange(value)}
    />
  );
}

/**
 * A point of a money chart: the decimal string itself, which ECharts reads for the bar's height; the
 * tooltip prints the same string, so what the user reads is exact.
 */
export const moneyPoint = (amount: string) => ({ value: amount });

/** A chart tooltip printing the series' amounts from their moneyPoint strings. */
export const moneyTooltip: EChartsOption['tooltip'] = {
  trigger: 'axis',
  formatter: (params) =>
    (Array.isArray(params) ? params : [params])
      .map((p) => `${p.marker ?? ''}${p.seriesName}: ${formatMoney((p.data as { value: string }).value)}`)
      .join('<br/>'),
};
