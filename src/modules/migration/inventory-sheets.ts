import { choice, int, list, text, yesNo, type SheetColumn } from '../../common/spreadsheet.js';
import type { Architecture, AvailabilityNeed, Classification } from './difficulty.js';
import type { Host, HostKind } from './entities/host.entity.js';
import type { InformationSystem } from './entities/information-system.entity.js';

/** The columns of the systems and hosts spreadsheets: template, import and export use the same list. */

export type SystemRow = InformationSystem & { departmentCode: string };
export type HostRow = Host & { departmentCode: string; systemNames: string[] };

const classification = choice<Classification>({ classified: ['涉密'], 'non-classified': ['非涉密'] });
const architecture = choice<Architecture>({ 'B/S': ['B/S', 'BS'], 'C/S': ['C/S', 'CS'], other: ['其他'] });
const availability = choice<AvailabilityNeed>(
  { standard: ['一般'], high: ['高'], critical: ['关键', '7×24', '7x24'] },
  'standard',
);
const level = choice<'1' | '2' | '3' | '4'>({
  '1': ['1', '一级', '1级', '第一级'],
  '2': ['2', '二级', '2级', '第二级'],
  '3': ['3', '三级', '3级', '第三级'],
  '4': ['4', '四级', '4级', '第四级'],
});
const hostKind = choice<HostKind>({ physical: ['物理机', '物理'], virtual: ['虚拟机', '虚拟'] });
const joined = (values: string[]) => values.join('; ');

const departmentCode = <T extends { departmentCode: string }>(): SheetColumn<T> => ({
  key: 'departmentCode',
  header: '部门编码',
  hint: '部门编码，如 gaj',
  required: true,
  parse: text(64),
  format: (r) => r.departmentCode,
});

export const SYSTEM_COLUMNS: SheetColumn<SystemRow>[] = [
  departmentCode<SystemRow>(),
  { key: 'name', header: '系统名称', required: true, parse: text(200), format: (s) => s.name },
  { key: 'purpose', header: '用途', parse: text(2000), format: (s) => s.purpose },
  { key: 'ownerContact', header: '负责人及联系方式', parse: text(200), format: (s) => s.ownerContact },
  {
    key: 'classification',
    header: '密级',
    hint: '涉密 / 非涉密',
    required: true,
    parse: classification.parse,
    format: (s) => classification.format(s.classification),
  },
  {
    key: 'protectionLevel',
    header: '等保级别',
    hint: '1–4',
    required: true,
    parse: (cell) => Number(level.parse(cell)),
    format: (s) => s.protectionLevel,
  },
  {
    key: 'architecture',
    header: '架构',
    hint: 'B/S、C/S 或 其他',
    required: true,
    parse: architecture.parse,
    format: (s) => architecture.format(s.architecture),
  },
  {
    key: 'databases',
    header: '数据库',
    hint: '多个用分号分隔',
    parse: list,
    format: (s) => joined(s.databases),
  },
  { key: 'middleware', header: '中间件', parse: list, format: (s) => joined(s.middleware) },
  { key: 'specialDevices', header: '专用设备', parse: list, format: (s) => joined(s.specialDevices) },
  { key: 'dataVolumeGb', header: '数据量(GB)', parse: int(0, 2_000_000_000), format: (s) => s.dataVolumeGb },
  { key: 'userCount', header: '用户数', parse: int(0, 2_000_000_000), format: (s) => s.userCount },
  {
    key: 'availability',
    header: '可用性要求',
    hint: '一般 / 高 / 关键',
    parse: availability.parse,
    format: (s) => availability.format(s.availability),
  },
  {
    key: 'critical',
    header: '关键系统',
    hint: '是 / 否',
    parse: (cell) => yesNo.parse(cell) === 'true',
    format: (s) => yesNo.format(s.critical ? 'true' : 'false'),
  },
];

export const HOST_COLUMNS: SheetColumn<HostRow>[] = [
  departmentCode<HostRow>(),
  { key: 'hostname', header: '主机名', required: true, parse: text(253), format: (h) => h.hostname },
  {
    key: 'kind',
    header: '类型',
    hint: '物理机 / 虚拟机',
    required: true,
    parse: hostKind.parse,
    format: (h) => hostKind.format(h.kind),
  },
  { key: 'cpuCores', header: 'CPU核数', parse: int(0, 100000), format: (h) => h.cpuCores },
  { key: 'memoryGib', header: '内存(GiB)', parse: int(0, 2_000_000_000), format: (h) => h.memoryGib },
  { key: 'diskGib', header: '磁盘(GiB)', parse: int(0, 2_000_000_000), format: (h) => h.diskGib },
  { key: 'os', header: '操作系统', parse: text(100), format: (h) => h.os },
  { key: 'rack', header: '机柜', parse: text(32), format: (h) => h.rack },
  { key: 'rackUnit', header: 'U位', parse: text(16), format: (h) => h.rackUnit },
  { key: 'powerWatts', header: '功率(W)', parse: int(0, 1_000_000, null), format: (h) => h.powerWatts },
  { key: 'purchaseYear', header: '购置年份', parse: int(1970, 2100, null), format: (h) => h.purchaseYear },
  {
    key: 'systemNames',
    header: '所服务系统',
    hint: '本部门系统名称，多个用分号分隔',
    parse: list,
    format: (h) => joined(h.systemNames),
  },
];
