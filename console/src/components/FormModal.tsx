import { Alert, Form, Modal, type FormInstance } from 'antd';
import type { ReactNode } from 'react';
import { useI18n } from '../i18n';
import type { FormSubmit } from './useFormSubmit';

/**
 * A dialog around a form sent to the API through `useFormSubmit`: OK submits the form (its rules
 * first), the API's field errors show next to their fields and the rest below the form.
 */
export function FormModal<V>(props: {
  title: string;
  form: FormInstance<V>;
  submitting: FormSubmit<V>;
  onCancel(): void;
  children: ReactNode;
  okText?: string;
  danger?: boolean;
  width?: number;
  initialValues?: object;
  /** Shown above the form, and below it (after any error). */
  before?: ReactNode;
  after?: ReactNode;
}) {
  const { t } = useI18n();
  const { busy, error, submit } = props.submitting;
  return (
    <Modal
      open
      width={props.width}
      title={props.title}
      okText={props.okText ?? t('common.submit')}
      okButtonProps={props.danger ? { danger: true } : undefined}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => props.form.submit()}
      onCancel={props.onCancel}
    >
      {props.before}
      <Form
        form={props.form}
        layout="vertical"
        initialValues={props.initialValues}
        onFinish={(values) => void submit(values)}
      >
        {props.children}
      </Form>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      {props.after}
    </Modal>
  );
}
