// The TypeORM CLI's data source (npm run migration:*). Reads only DATABASE_URL.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options.js';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('Configuration error: DATABASE_URL is not set');
  process.exit(1);
}

export default new DataSource(dataSourceOptions(url));
