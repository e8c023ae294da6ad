import { Decimal } from 'decimal.js';
import { CellError, int, text, type SheetColumn } from '../../common/spreadsheet.js';
import { MONEY } from './dto/room.dto.js';
import type { ServerRoom } from './entities/server-room.entity.js';

export type RoomRow = ServerRoom & { departmentCode: string };

/** CNY cells: digits with at most two decimals, kept as an exact decimal string. */
const money = (cell: string): string => {
  if (cell === '') return '0.00';
  const plain = cell.replace(/[,，\s]/g, '');
  if (!MONEY.test(plain)) throw new CellError(`"${cell}" is not an amount in CNY with at most two decimals`);
  return new Decimal(plain).toFixed(2);
};

const measure =
  (max: number, empty: number | null = 0) =>
  (cell: string): number | null => {
    if (cell === '') return empty;
    if (!/^\d+(\.\d+)?$/.test(cell)) throw new CellError(`"${cell}" is not a number`);
    const value = Number(cell);
    if (value > max) throw new CellError(`${value} is more than ${max}`);
    return value;
  };

const cost = (key: keyof ServerRoom, header: string): SheetColumn<RoomRow> => ({
  key,
  header,
  hint: '元，最多两位小数',
  parse: money,
  format: (r) => r[key] as string,
});

/** The server-room spreadsheet: template, import and export share these columns. */
export const ROOM_COLUMNS: SheetColumn<RoomRow>[] = [
  {
    key: 'departmentCode',
    header: '部门编码',
    required: true,
    parse: text(64),
    format: (r) => r.departmentCode,
  },
  { key: 'name', header: '机房名称', required: true, parse: text(200), format: (r) => r.name },
  { key: 'address', header: '地址', parse: text(500), format: (r) => r.address },
  { key: 'floorAreaM2', header: '面积(m²)', parse: measure(1_000_000), format: (r) => r.floorAreaM2 },
  { key: 'racks', header: '机柜数', parse: int(0, 100000), format: (r) => r.racks },
  { key: 'itPowerKw', header: 'IT功率(kW)', parse: measure(1_000_000), format: (r) => r.itPowerKw },
  { key: 'pue', header: 'PUE', parse: measure(10, null), format: (r) => r.pue },
  {
    key: 'utilisationPercent',
    header: '利用率(%)',
    parse: measure(100, null),
    format: (r) => r.utilisationPercent,
  },
  cost('costElectricity', '电费(元/年)'),
  cost('costMaintenance', '维护费(元/年)'),
  cost('costStaff', '人员费(元/年)'),
  cost('costNetwork', '线路费(元/年)'),
  cost('costOther', '其他(元/年)'),
  { key: 'conditionNotes', header: '现状说明', parse: text(4000), format: (r) => r.conditionNotes },
];
