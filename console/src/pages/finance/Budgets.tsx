import { Alert, App, Button, Card, Form, Input, InputNumber, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { api, showFieldErrors } from '../../api';
import { DepartmentFilter, useReportDepartmentNames, withNames } from '../../components/departments';
import { formatMoney } from '../../components/money';
import { useApi } from '../../components/useApi';
import { useMayWrite } from '../../components/useMayWrite';
import { useI18n } from '../../i18n';
import type { BudgetStatus } from '../../shared';
import { YearInput } from './parts';
import { BILLING_WRITERS } from './Rebills';

interface BudgetForm {
  departmentId: string;
  year: number;
  amount: string;
}

const currentYear = () => new Date().getFullYear();

/** Yearly budgets per department with spend, forecast and overspend alerts; finance sets them. */
export function Budgets() {
  const { t, time } = useI18n();
  const { message } = App.useApp();
  const mayWrite = useMayWrite(BILLING_WRITERS);
  const [form] = Form.useForm<BudgetForm>();
  const [year, setYear] = useState(currentYear());
  const budgets = useApi<BudgetStatus[]>(`/reports/budgets?year=${year}`);
  const nameOf = useReportDepartmentNames();
  const [formError, setFormError] = useState<string | null>(null);

  const submit = async ({ departmentId, ...body }: BudgetForm) => {
    setFormError(null);
    try {
      await api(`/budgets/${departmentId}`, { method: 'PUT', body });
      message.success(t('budgets.saved', { amount: formatMoney(body.amount) }));
      form.resetFields(['amount']);
      await budgets.reload();
    } catch (err) {
      setFormError(showFieldErrors(form, err));
    }
  };

  const rows = withNames(budgets.data ?? [], nameOf);
  const overspending = rows.filter((r) => r.overspend);
  return (
    <Card title={t('budgets.title')} extra={<YearInput value={year} onChange={setYear} />}>
      {overspending.length > 0 && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          title={t('budgets.alert', { count: overspending.length })}
          description={overspending.map((r) => r.name).join('、')}
        />
      )}
      {mayWrite && (
        <Form
          form={form}
          layout="inline"
          initialValues={{ year: currentYear() }}
          onFinish={submit}
          style={{ marginBottom: 16 }}
        >
          <Form.Item
            name="departmentId"
            rules={[{ required: true, message: t('budgets.departmentRequired') }]}
          >
            <DepartmentFilter label={t('rebill.department')} />
          </Form.Item>
          <Form.Item name="year" label={t('budgets.year')} rules={[{ required: true }]}>
            <InputNumber<number> min={2000} max={2100} />
          </Form.Item>
          <Form.Item name="amount" label={t('budgets.budget')} rules={[{ required: true }]}>
            <Input placeholder="1200000.00" style={{ width: 160 }} />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit">
              {t('budgets.set')}
            </Button>
          </Form.Item>
        </Form>
      )}
      {formError && <Alert type="error" showIcon title={formError} style={{ marginBottom: 16 }} />}
      {budgets.error && <Alert type="error" showIcon title={budgets.error} style={{ marginBottom: 16 }} />}
      <Table<BudgetStatus>
        rowKey="departmentId"
        loading={budgets.data === null && !budgets.error}
        dataSource={rows}
        columns={[
          { title: t('rebill.code'), dataIndex: 'code', key: 'code' },
          { title: t('rebill.department'), dataIndex: 'name', key: 'name' },
          {
            title: t('budgets.budget'),
            dataIndex: 'budget',
            key: 'budget',
            align: 'right',
            render: formatMoney,
          },
          {
            title: t('budgets.spent'),
            dataIndex: 'spent',
            key: 'spent',
            align: 'right',
            render: formatMoney,
          },
          {
            title: t('budgets.forecast'),
            dataIndex: 'forecast',
            key: 'forecast',
            align: 'right',
            render: formatMoney,
          },
          {
            title: t('budgets.status'),
            key: 'status',
            render: (_, r) => (
              <Space orientation="vertical" size={0}>
                <Tag color={r.overspend ? 'error' : 'success'}>
                  {t(r.overspend ? 'budgets.overspend' : 'budgets.withinBudget')}
                </Tag>
                {r.alertRaisedAt && <span>{t('budgets.alertRaisedAt', { at: time(r.alertRaisedAt) })}</span>}
              </Space>
            ),
          },
          {
            title: t('budgets.monthsWithoutRebill'),
            dataIndex: 'monthsWithoutRebill',
            key: 'monthsWithoutRebill',
            render: (months: string[]) => months.join(', ') || '—',
          },
        ]}
      />
    </Card>
  );
}
