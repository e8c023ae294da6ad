import { MigrationInterface, QueryRunner } from 'typeorm';

// The dimensions' column stems, as they were when this migration was written.
const STEMS = ['vcpu', 'memory_gib', 'storage_gib', 'gpu', 'public_ip', 'instances'];
const any = (f: (s: string) => string) => STEMS.map(f).join(' OR ');
const all = (f: (s: string) => string) => STEMS.map(f).join(', ');

/**
 * Keeps the allocation model true when the department tree changes outside the quota module: a moved
 * department takes its limits from its old parent's allocation to its new parent's, refused (409 with
 * the numbers) when the new parent cannot fit them; a deleted department that uses nothing and handed
 * out nothing gives its limits back to its parent. Rows are locked root to leaf, as the service does.
 */
export class QuotaFollowsDepartmentTree1796030066030 implements MigrationInterface {
  name = 'QuotaFollowsDepartmentTree1796030066030';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const misfit = STEMS.map(
      (s) => `
        IF moved.${s}_limit > parent.${s}_limit - parent.${s}_used - parent.${s}_allocated THEN
          RAISE EXCEPTION 'quota: department % holds ${s} limit %, but its new parent % has limit %, used %, allocated to child departments %, available %',
            NEW.code, moved.${s}_limit, target.code, parent.${s}_limit, parent.${s}_used, parent.${s}_allocated,
            parent.${s}_limit - parent.${s}_used - parent.${s}_allocated
            USING ERRCODE = 'check_violation';
        END IF;`,
    ).join('');
    await queryRunner.query(`
      CREATE FUNCTION department_quotas_follow_move() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        moved department_quotas%ROWTYPE;
        parent department_quotas%ROWTYPE;
        target departments%ROWTYPE;
      BEGIN
        IF NEW.parent_id IS NOT DISTINCT FROM OLD.parent_id THEN RETURN NEW; END IF;
        IF NOT EXISTS (SELECT 1 FROM department_quotas WHERE department_id = OLD.id
                       AND (${any((s) => `${s}_limit > 0`)})) THEN
          RETURN NEW;
        END IF;
        SELECT * INTO target FROM departments WHERE id = NEW.parent_id;
        INSERT INTO department_quotas (department_id) VALUES (NEW.parent_id) ON CONFLICT DO NOTHING;
        -- Root to leaf: both parents (shallower first), then the moved department.
        PERFORM 1 FROM department_quotas q JOIN departments d ON d.id = q.department_id
          WHERE q.department_id IN (OLD.parent_id, NEW.parent_id) ORDER BY length(d.path), d.id FOR UPDATE OF q;
        SELECT * INTO moved FROM department_quotas WHERE department_id = OLD.id FOR UPDATE;
        SELECT * INTO parent FROM department_quotas WHERE department_id = NEW.parent_id;
        ${misfit}
        UPDATE department_quotas SET ${all((s) => `${s}_allocated = ${s}_allocated - moved.${s}_limit`)}, updated_at = now()
          WHERE department_id = OLD.parent_id;
        UPDATE department_quotas SET ${all((s) => `${s}_allocated = ${s}_allocated + moved.${s}_limit`)}, updated_at = now()
          WHERE department_id = NEW.parent_id;
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER departments_quota_follow_move BEFORE UPDATE OF parent_id ON "departments" FOR EACH ROW EXECUTE FUNCTION department_quotas_follow_move()`,
    );
    await queryRunner.query(`
      CREATE FUNCTION department_quotas_follow_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        gone department_quotas%ROWTYPE;
      BEGIN
        -- A department still using or handing out quota keeps its row; the foreign key then refuses the delete.
        IF OLD.parent_id IS NOT NULL THEN
          PERFORM 1 FROM department_quotas WHERE department_id = OLD.parent_id FOR UPDATE;
        END IF;
        SELECT * INTO gone FROM department_quotas WHERE department_id = OLD.id FOR UPDATE;
        IF NOT FOUND OR ${any((s) => `gone.${s}_used <> 0 OR gone.${s}_allocated <> 0`)} THEN
          RETURN OLD;
        END IF;
        UPDATE department_quotas SET ${all((s) => `${s}_allocated = ${s}_allocated - gone.${s}_limit`)}, updated_at = now()
          WHERE department_id = OLD.parent_id;
        DELETE FROM department_quotas WHERE department_id = OLD.id;
        RETURN OLD;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER departments_quota_follow_delete BEFORE DELETE ON "departments" FOR EACH ROW EXECUTE FUNCTION department_quotas_follow_delete()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER departments_quota_follow_delete ON "departments"`);
    await queryRunner.query(`DROP FUNCTION department_quotas_follow_delete()`);
    await queryRunner.query(`DROP TRIGGER departments_quota_follow_move ON "departments"`);
    await queryRunner.query(`DROP FUNCTION department_quotas_follow_move()`);
  }
}
