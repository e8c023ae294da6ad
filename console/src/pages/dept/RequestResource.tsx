import { Alert, App, Button, Card, Col, Form, Input, InputNumber, Radio, Row, Select } from 'antd';
import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { api, showFieldErrors } from '../../api';
import { useAuth } from '../../auth';
import { QuotaTable } from '../../components/QuotaTable';
import { useApi } from '../../components/useApi';
import { useI18n } from '../../i18n';
import type { QuotaView, ResourceKind, ResourceSpec } from '../../shared';
import type { Resource } from './Resources';

interface Pool {
  id: string;
  name: string;
  type: string;
  tier: string;
  enabled: boolean;
}

interface RequestForm {
  kind: ResourceKind;
  name: string;
  poolId?: string;
  spec: ResourceSpec;
  /** More than one: a bulk request, the resources named <name>-01 … */
  count: number;
}

const INITIAL: Partial<RequestForm> = {
  kind: 'vm',
  count: 1,
  spec: { vcpu: 2, memoryGiB: 4, storageGiB: 40, gpu: 0, image: '', replicas: 1 },
};

/** The request form of a VM or a container (the API's resource spec), beside what quota is left. */
export function RequestResource() {
  const { t } = useI18n();
  const { user } = useAuth();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm<RequestForm>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // One key per filled form: a double click or a retried submit makes one resource, not two.
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());
  const quota = useApi<QuotaView>(user?.departmentId ? `/departments/${user.departmentId}/quota` : null);
  const pools = useApi<Pool[]>('/pools');
  const kind = Form.useWatch('kind', form) ?? 'vm';
  const spec = Form.useWatch('spec', form);
  const count = Form.useWatch('count', form) || 1;
  const asking = useMemo(() => {
    const each = (kind === 'container' ? (spec?.replicas ?? 1) : 1) * count;
    return {
      vcpu: (spec?.vcpu ?? 0) * each,
      memoryGiB: (spec?.memoryGiB ?? 0) * each,
      storageGiB: (spec?.storageGiB ?? 0) * each,
      gpu: (spec?.gpu ?? 0) * each,
      instances: each,
    };
  }, [kind, spec, count]);

  // Lengths and formats are left to the API, whose answer lands next to the field it names.
  const submit = async (values: RequestForm) => {
    setBusy(true);
    setError(null);
    const { count: n = 1, ...request } = values;
    const { replicas, ...vmSpec } = values.spec;
    const body = { ...request, spec: values.kind === 'container' ? { ...vmSpec, replicas } : vmSpec };
    const post = { method: 'POST', headers: { 'Idempotency-Key': idempotencyKey } } as const;
    try {
      if (n > 1) {
        const { items } = await api<{ items: Resource[] }>('/resources/bulk', {
          ...post,
          body: { ...body, count: n },
        });
        message.success(t('request.submittedMany', { count: items.length, first: items[0].name }));
      } else {
        const created = await api<Resource>('/resources', { ...post, body });
        message.success(t('request.submitted', { name: created.name }));
      }
      setIdempotencyKey(crypto.randomUUID());
      navigate('/resources');
    } catch (err) {
      setError(showFieldErrors(form, err));
    } finally {
      setBusy(false);
    }
  };

  const number = (name: keyof ResourceSpec, label: string, min: number, max: number) => (
    <Form.Item name={['spec', name]} label={label} rules={[{ required: true }]}>
      <InputNumber min={min} max={max} precision={0} style={{ width: '100%' }} />
    </Form.Item>
  );

  return (
    <Row gutter={24}>
      <Col xs={24} xl={14}>
        <Card title={t('request.title')}>
          {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
          <Form form={form} layout="vertical" initialValues={INITIAL} onFinish={submit}>
            <Form.Item name="kind" label={t('resources.kind')}>
              <Radio.Group
                optionType="button"
                options={(['vm', 'container'] as const).map((k) => ({
                  value: k,
                  label: t(`resource.kind.${k}`),
                }))}
              />
            </Form.Item>
            <Form.Item
              name="name"
              label={t('common.name')}
              extra={t('request.nameHint')}
              rules={[{ required: true }]}
            >
              <Input />
            </Form.Item>
            <Form.Item
              name={['spec', 'image']}
              label={t('request.image')}
              extra={t(kind === 'vm' ? 'request.imageHintVm' : 'request.imageHintContainer')}
              rules={[{ required: true }]}
            >
              <Input />
            </Form.Item>
            <Row gutter={16}>
              <Col span={8}>{number('vcpu', t('quota.dimension.vcpu'), 1, 256)}</Col>
              <Col span={8}>{number('memoryGiB', t('quota.dimension.memoryGiB'), 1, 4096)}</Col>
              <Col span={8}>{number('storageGiB', t('quota.dimension.storageGiB'), 0, 65536)}</Col>
              <Col span={8}>{number('gpu', t('quota.dimension.gpu'), 0, 16)}</Col>
              {kind === 'container' && (
                <Col span={8}>{number('replicas', t('request.replicas'), 1, 100)}</Col>
              )}
            </Row>
            <Form.Item name="count" label={t('request.count')} extra={t('request.countHint')}>
              <InputNumber min={1} max={100} precision={0} style={{ width: '100%' }} />
            </Form.Item>
            <Form.Item name="poolId" label={t('request.pool')} extra={t('request.poolHint')}>
              <Select
                allowClear
                showSearch={{ optionFilterProp: 'label' }}
                placeholder={t('request.poolAuto')}
                options={(pools.data ?? [])
                  .filter((p) => p.enabled)
                  .map((p) => ({ value: p.id, label: `${p.name} (${p.type})` }))}
              />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={busy}>
              {t('common.submit')}
            </Button>
          </Form>
        </Card>
      </Col>
      <Col xs={24} xl={10}>
        <Card title={t('request.quotaLeft')}>
          {quota.error && <Alert type="error" showIcon title={quota.error} />}
          {quota.data && <QuotaTable quota={quota.data} asking={asking} />}
        </Card>
      </Col>
    </Row>
  );
}
