import { Column, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Dec } from '../money.js';
import { decimalTransformer } from '../money.js';

/** A department's yearly cloud budget (fiscal year = calendar year), for its whole subtree. */
@Entity('department_budgets')
@Index('uq_department_budgets_year', ['departmentId', 'year'], { unique: true })
export class DepartmentBudget {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'department_id', type: 'uuid' })
  departmentId!: string;

  @Column({ type: 'smallint' })
  year!: number;

  @Column({ type: 'numeric', precision: 18, scale: 2, transformer: decimalTransformer })
  amount!: Dec;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** Raised when the month-to-date run rate forecasts a year over budget; once per department and month. */
@Entity('budget_alerts')
@Index('uq_budget_alerts_month', ['departmentId', 'month'], { unique: true })
export class BudgetAlert {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'department_id', type: 'uuid' })
  departmentId!: string;

  /** 'YYYY-MM' of the check that raised it. */
  @Column({ type: 'char', length: 7 })
  month!: string;

  @Column({ type: 'numeric', precision: 18, scale: 2, transformer: decimalTransformer })
  budget!: Dec;

  @Column({ type: 'numeric', precision: 18, scale: 2, transformer: decimalTransformer })
  forecast!: Dec;

  @Column({ name: 'raised_at', type: 'timestamptz' })
  raisedAt!: Date;
}
