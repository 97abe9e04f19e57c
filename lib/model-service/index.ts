export * from './fargate-model-service';
export * from './model-service-update';
