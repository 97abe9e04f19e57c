import { generatedSpecsTest } from './generated-specs';

generatedSpecsTest('a');
