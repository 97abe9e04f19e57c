// The one price table of the cost model: AWS public list prices (On-Demand, no free tier, no
// Savings Plans), per region where they differ. Written from the public price pages named in
// PRICE_SOURCES as known on PRICES_AS_OF, without network access to re-check them: check them in
// the AWS Pricing Calculator before quoting a figure.

/** The day these list prices were written down. */
export const PRICES_AS_OF = '2026-11-29';

/** Where each group of prices is published. */
export const PRICE_SOURCES: Readonly<Record<string, string>> = {
  fargate: 'https://aws.amazon.com/fargate/pricing/',
  alb: 'https://aws.amazon.com/elasticloadbalancing/pricing/',
  endpoints: 'https://aws.amazon.com/privatelink/pricing/',
  apiGateway: 'https://aws.amazon.com/api-gateway/pricing/',
  lambda: 'https://aws.amazon.com/lambda/pricing/',
  stepFunctions: 'https://aws.amazon.com/step-functions/pricing/',
  xray: 'https://aws.amazon.com/xray/pricing/',
  dynamodb: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  s3: 'https://aws.amazon.com/s3/pricing/',
  cloudwatch: 'https://aws.amazon.com/cloudwatch/pricing/',
  kms: 'https://aws.amazon.com/kms/pricing/',
  sagemaker: 'https://aws.amazon.com/sagemaker/pricing/',
  ec2: 'https://aws.amazon.com/ec2/pricing/on-demand/',
};

/** List prices of one region, in USD. Units are in the names. */
export interface RegionPrices {
  readonly fargateArmVcpuHour: number;
  readonly fargateArmGbHour: number;
  /** Fargate x86_64 (Linux), for the model service: the training image is built for x86_64. */
  readonly fargateX86VcpuHour: number;
  readonly fargateX86GbHour: number;
  readonly albHour: number;
  readonly albLcuHour: number;
  /** One interface VPC endpoint in one Availability Zone. */
  readonly interfaceEndpointAzHour: number;
  /** HTTP API requests: the first 300 M a month, then the rest. */
  readonly httpApiPerMillionFirst300M: number;
  readonly httpApiPerMillionAfter: number;
  /** REST API requests: the first 333 M a month, then the rest (next tier, 667 M). */
  readonly restApiPerMillionFirst333M: number;
  readonly restApiPerMillionAfter: number;
  readonly lambdaPerMillionRequests: number;
  readonly lambdaArmGbSecond: number;
  /** Provisioned concurrency, per GB-second it is configured. */
  readonly lambdaArmProvisionedGbSecond: number;
  readonly xrayPerMillionTraces: number;
  /** Step Functions Standard workflows, per 1,000 state transitions. */
  readonly stepFunctionsPerThousandTransitions: number;
  readonly dynamoPerMillionReadUnits: number;
  readonly dynamoPerMillionWriteUnits: number;
  readonly dynamoStorageGbMonth: number;
  readonly dynamoPitrGbMonth: number;
  /** S3 Standard (and Intelligent-Tiering Frequent Access). */
  readonly s3StandardGbMonth: number;
  readonly s3InfrequentGbMonth: number;
  /** Intelligent-Tiering Archive Instant Access (datasets). */
  readonly s3ArchiveInstantGbMonth: number;
  /** S3 Glacier Instant Retrieval (the predictions archive after 90 days). */
  readonly s3GlacierInstantGbMonth: number;
  readonly logsIngestedGb: number;
  readonly customMetricMonth: number;
  /** A standard-resolution alarm, per metric it reads. */
  readonly alarmMetricMonth: number;
  readonly compositeAlarmMonth: number;
  readonly dashboardMonth: number;
  readonly kmsKeyMonth: number;
  /** SageMaker ML storage volumes. */
  readonly mlVolumeGbMonth: number;
  /** EBS gp3 (AWS Batch instances). */
  readonly ebsGbMonth: number;
  /** On-Demand hourly price of SageMaker (`ml.*`) and EC2 instance types. */
  readonly instanceHour: { readonly [instanceType: string]: number };
}

// Prices that are the same in every region the table covers.
const SAME_EVERYWHERE = {
  albLcuHour: 0.008,
  restApiPerMillionFirst333M: 3.5,
  restApiPerMillionAfter: 2.8,
  lambdaPerMillionRequests: 0.2,
  lambdaArmGbSecond: 0.0000133334,
  lambdaArmProvisionedGbSecond: 0.0000033334,
  xrayPerMillionTraces: 5,
  stepFunctionsPerThousandTransitions: 0.025,
  s3StandardGbMonth: 0.023,
  s3InfrequentGbMonth: 0.0125,
  s3ArchiveInstantGbMonth: 0.004,
  s3GlacierInstantGbMonth: 0.004,
  customMetricMonth: 0.3,
  alarmMetricMonth: 0.1,
  compositeAlarmMonth: 0.5,
  dashboardMonth: 3,
  kmsKeyMonth: 1,
};

/** List prices per region. */
export const REGION_PRICES: Readonly<Record<string, RegionPrices>> = {
  'us-east-1': {
    ...SAME_EVERYWHERE,
    fargateArmVcpuHour: 0.03238,
    fargateArmGbHour: 0.00356,
    fargateX86VcpuHour: 0.04048,
    fargateX86GbHour: 0.004445,
    albHour: 0.0225,
    interfaceEndpointAzHour: 0.01,
    httpApiPerMillionFirst300M: 1,
    httpApiPerMillionAfter: 0.9,
    dynamoPerMillionReadUnits: 0.125,
    dynamoPerMillionWriteUnits: 0.625,
    dynamoStorageGbMonth: 0.25,
    dynamoPitrGbMonth: 0.2,
    logsIngestedGb: 0.5,
    mlVolumeGbMonth: 0.14,
    ebsGbMonth: 0.08,
    instanceHour: {
      'ml.m5.large': 0.115, 'ml.m5.xlarge': 0.23, 'ml.m5.2xlarge': 0.461, 'ml.c5.xlarge': 0.204, 'ml.c5.2xlarge': 0.408,
      'ml.g4dn.xlarge': 0.736, 'ml.g5.xlarge': 1.408, 'ml.g5.2xlarge': 1.515, 'ml.p3.2xlarge': 3.825,
      'm5.large': 0.096, 'm5.xlarge': 0.192, 'c5.xlarge': 0.17, 'g4dn.xlarge': 0.526, 'g4dn.2xlarge': 0.752,
      'g5.xlarge': 1.006, 'g5.2xlarge': 1.212, 'p3.2xlarge': 3.06,
    },
  },
  'eu-west-1': {
    ...SAME_EVERYWHERE,
    fargateArmVcpuHour: 0.03725,
    fargateArmGbHour: 0.00409,
    fargateX86VcpuHour: 0.04656,
    fargateX86GbHour: 0.00511,
    albHour: 0.0252,
    interfaceEndpointAzHour: 0.011,
    httpApiPerMillionFirst300M: 1.11,
    httpApiPerMillionAfter: 1,
    dynamoPerMillionReadUnits: 0.1415,
    dynamoPerMillionWriteUnits: 0.7068,
    dynamoStorageGbMonth: 0.283,
    dynamoPitrGbMonth: 0.2264,
    logsIngestedGb: 0.57,
    mlVolumeGbMonth: 0.154,
    ebsGbMonth: 0.088,
    instanceHour: {
      'ml.m5.large': 0.128, 'ml.m5.xlarge': 0.256, 'ml.m5.2xlarge': 0.512, 'ml.c5.xlarge': 0.228, 'ml.c5.2xlarge': 0.456,
      'ml.g4dn.xlarge': 0.822, 'ml.g5.xlarge': 1.578, 'ml.g5.2xlarge': 1.698, 'ml.p3.2xlarge': 4.284,
      'm5.large': 0.107, 'm5.xlarge': 0.214, 'c5.xlarge': 0.192, 'g4dn.xlarge': 0.587, 'g4dn.2xlarge': 0.838,
      'g5.xlarge': 1.123, 'g5.2xlarge': 1.353, 'p3.2xlarge': 3.305,
    },
  },
};

/** The region priced when none is given (and the one the automatic front-end choice uses). */
export const DEFAULT_PRICE_REGION = 'us-east-1';

/** The prices of a region; the error names the regions the table covers. */
export function pricesFor(region: string): RegionPrices {
  const prices = REGION_PRICES[region];
  if (!prices) {
    throw new Error(`region must be one the price table covers (${Object.keys(REGION_PRICES).join(', ')}), but ${JSON.stringify(region)} was provided: `
      + 'use one of those, or add the region\'s list prices to lib/cost/prices.ts');
  }
  return prices;
}

/** The On-Demand hourly price of an instance type; the error names the field to change. */
export function instanceHourPrice(prices: RegionPrices, field: string, instanceType: string): number {
  const price = prices.instanceHour[instanceType];
  if (price === undefined) {
    throw new Error(`${field} ${JSON.stringify(instanceType)} has no price in lib/cost/prices.ts: use one of ${Object.keys(prices.instanceHour).join(', ')}, `
      + 'or add its On-Demand hourly price to the table');
  }
  return price;
}
