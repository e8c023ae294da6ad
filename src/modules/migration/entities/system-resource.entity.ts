import { Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

/** Which cloud resources (provisioning) now run a migrated system. */
@Entity('system_resources')
export class SystemResource {
  @PrimaryColumn({ name: 'system_id', type: 'uuid' })
  systemId!: string;

  @PrimaryColumn({ name: 'resource_id', type: 'uuid' })
  resourceId!: string;

  @ManyToOne('InformationSystem', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'system_id', foreignKeyConstraintName: 'fk_system_resources_system' })
  system?: object;

  @ManyToOne('Resource', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'resource_id', foreignKeyConstraintName: 'fk_system_resources_resource' })
  resource?: object;
}
