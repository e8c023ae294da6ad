import { Select } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../api';

interface Department {
  id: string;
  code: string;
  name: string;
}

/** A department of the caller's scope, searched by name or code; labelled by its placeholder. */
export function DepartmentSelect(props: {
  label: string;
  value?: string;
  onChange?(value: string | undefined): void;
  width?: number;
}) {
  const [departments, setDepartments] = useState<Department[]>([]);
  useEffect(() => {
    api<Department[]>('/departments').then(setDepartments, () => setDepartments([]));
  }, []);
  return (
    <Select<string>
      allowClear
      showSearch={{ optionFilterProp: 'label' }}
      style={{ width: props.width ?? 240 }}
      aria-label={props.label}
      placeholder={props.label}
      value={props.value}
      onChange={(value) => props.onChange?.(value)}
      options={departments.map((d) => ({ value: d.id, label: `${d.name} (${d.code})` }))}
    />
  );
}
