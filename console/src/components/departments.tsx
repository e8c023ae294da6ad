import { Select } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { api } from '../api';
import { useI18n, type Lang } from '../i18n';

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
 * A department's name in the console's language: in English its English name where it has one, else
 * its (Chinese) name. The one place that chooses: every screen names departments through it.
 */
export function departmentName(department: { name: string; nameEn?: string | null }, lang: Lang): string {
  return lang === 'en' && department.nameEn ? department.nameEn : department.name;
}

/** A department's name by id; `name` (the Chinese one a report gave) for a department not in the list. */
export type NameOf = (id: string | null, name?: string) => string;

/**
 * Every department the user may see, and its name in the console's language by id; a screen that may
 * not need them passes `wanted` false and asks for nothing.
 */
export function useDepartments(wanted = true): { departments: Department[]; nameOf: NameOf } {
  const { lang } = useI18n();
  const [departments, setDepartments] = useState<Department[]>([]);
  useEffect(() => {
    // Without the names the screens still work (they show ids), so a failure here is not shown twice.
    if (wanted) api<Department[]>('/departments').then(setDepartments, () => undefined);
  }, [wanted]);
  return useMemo(() => {
    const byId = new Map(departments.map((d) => [d.id, d]));
    const nameOf: NameOf = (id, name) => {
      const department = id ? byId.get(id) : undefined;
      return department ? departmentName(department, lang) : (name ?? id ?? '');
    };
    return { departments, nameOf };
  }, [departments, lang]);
}

/** A report row's department named from the id and the Chinese name the report gives. */
export type ReportDepartmentName = (departmentId: string, name: string) => string;

/**
 * Names the departments of report rows (rebills, budgets, usage, fiscal effect, migration statistics):
 * they carry a department's id and Chinese name, no English one. Chinese shows the report's name as it is;
 * only English needs the department list (for nameEn), so only English asks for it.
 */
export function useReportDepartmentNames(): ReportDepartmentName {
  const { lang } = useI18n();
  return useDepartments(lang === 'en').nameOf;
}

/** Report rows with `name` in the console's language, for their table, search box and titles alike. */
export const withNames = <T extends { departmentId: string; name: string }>(
  rows: readonly T[],
  nameOf: ReportDepartmentName,
): T[] => rows.map((row) => ({ ...row, name: nameOf(row.departmentId, row.name) }));

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
