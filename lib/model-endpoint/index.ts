export * from './model-endpoint';
export { acceptsVolumeKmsKey } from '../common/sagemaker/volume-key';
export * from './endpoint-update';
