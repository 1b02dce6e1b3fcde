import { apiSuite } from './api-suite.mjs';
import { loadEsm } from './helpers.mjs';

apiSuite('ESM import', loadEsm);
