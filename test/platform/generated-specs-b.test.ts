import { generatedSpecsTest } from './generated-specs';

generatedSpecsTest('b');
