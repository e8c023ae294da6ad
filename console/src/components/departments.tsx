import { Select } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { api } from '../api';
import { useI18n } from '../i18n';

/** A department as GET /departments lists it (ordered by its path, so parents come first). */
export interface Department {
  id: string;
  code: string;
  name: string;
  nameEn: string | null;
  kind: 'city' | 'district' | 'department' | 'unit';
  parentId: string | null;
  path: string;
  critical: boolean;
}

/**
 * Every department the user may see, and its name in the console's language by id; a screen that may
 * not need them passes `wanted` false and asks for nothing.
 */
export function useDepartments(wanted = true): {
  departments: Department[];
  nameOf(id: string | null): string;
} {
  const { lang } = useI18n();
  const [departments, setDepartments] = useState<Department[]>([]);
  useEffect(() => {
    // Without the names the screens still work (they show ids), so a failure here is not shown twice.
    if (wanted) api<Department[]>('/departments').then(setDepartments, () => undefined);
  }, [wanted]);
  return useMemo(() => {
    const byId = new Map(departments.map((d) => [d.id, d]));
    const nameOf = (id: string | null) => {
      const department = id ? byId.get(id) : undefined;
      if (!department) return id ?? '';
      return lang === 'en' && department.nameEn ? department.nameEn : department.name;
    };
    return { departments, nameOf };
  }, [departments, lang]);
}

/**
 * A clearable, searchable department filter above a table, labelled by its placeholder; inside a
 * Form.Item the form gives it its value and onChange.
 */
export function DepartmentFilter(props: { label: string; value?: string; onChange?(id?: string): void }) {
  const { departments, nameOf } = useDepartments();
  return (
    <Select
      allowClear
      showSearch={{ optionFilterProp: 'label' }}
      style={{ width: 220 }}
      aria-label={props.label}
      placeholder={props.label}
      value={props.value}
      onChange={(id?: string) => props.onChange?.(id)}
      options={departments.map((d) => ({ value: d.id, label: nameOf(d.id) }))}
    />
  );
}
