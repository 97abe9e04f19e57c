export { MlopsChecks } from './mlops-checks';
