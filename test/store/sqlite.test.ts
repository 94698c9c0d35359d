import { SqliteStore } from '../../src/store/sqlite.js';
import { storeContract } from './contract.js';

storeContract('embedded SQLite', () => new SqliteStore(':memory:'));
