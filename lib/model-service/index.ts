export * from './fargate-model-service';
export * from './model-service-update';
export * from './validate-fargate-model-service-props';
