import { mountStats } from './stats.js';

void mountStats(document, window);
