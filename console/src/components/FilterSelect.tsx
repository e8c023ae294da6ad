import { Select } from 'antd';

/** A clearable choice above a table, labelled for screen readers and tests by its placeholder. */
export function FilterSelect<V extends string>(props: {
  label: string;
  value: V | undefined;
  onChange(value: V | undefined): void;
  options: { value: V; label: string }[];
  width?: number;
}) {
  return (
    <Select<V>
      allowClear
      style={{ width: props.width ?? 160 }}
      aria-label={props.label}
      placeholder={props.label}
      value={props.value}
      onChange={(value) => props.onChange(value)}
      options={props.options}
    />
  );
}
