// Nitro instance types with local NVMe instance storage encrypt it in hardware, and SageMaker
// rejects a KMS volume key for them (training jobs' VolumeKmsKeyId, endpoint configs' KmsKeyId):
// the GPU and accelerator families with instance storage, and the "d" variants (ml.c5d, ml.m5d ...).
// Training, batch scoring and real-time endpoints all decide with this one rule.
const LOCAL_STORAGE = /^ml\.(g4dn|g5|g6|g6e|gr6|p3dn|p4d|p4de|p5|p5e|p5en|trn1|trn1n|trn2|inf2|[a-z]\d+[a-z]*d[n]?)\./;

/** Whether SageMaker accepts a KMS key for the ML storage volume of this instance type. */
export function acceptsVolumeKmsKey(instanceType: string): boolean {
  return !LOCAL_STORAGE.test(instanceType);
}
