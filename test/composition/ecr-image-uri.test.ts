import * as fc from 'fast-check';
import { parseEcrImageUri } from '../../lib/training-pipeline/ecr-image-uri';

describe('parseEcrImageUri (the one ECR image URI parser)', () => {
  test('tag, digest, China partition and nested repository names', () => {
    expect(parseEcrImageUri('123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/demand:1.4')).toEqual({ account: '123456789012', region: 'eu-west-1', partition: 'aws', repositoryName: 'team/demand', tag: '1.4' });
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseEcrImageUri(`123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/demand@${digest}`)).toEqual({ account: '123456789012', region: 'cn-north-1', partition: 'aws-cn', repositoryName: 'demand', digest });
    expect(parseEcrImageUri('123456789012.dkr.ecr.us-east-1.amazonaws.com/demand')).toEqual({ account: '123456789012', region: 'us-east-1', partition: 'aws', repositoryName: 'demand' });
  });

  test('other registries are not ECR', () => {
    for (const uri of ['public.ecr.aws/lambda/python:3.12', 'docker.io/library/python:3.12', 'ghcr.io/org/img:1', '12345.dkr.ecr.eu-west-1.amazonaws.com/x']) {
      expect(parseEcrImageUri(uri)).toBeUndefined();
    }
  });

  test('any repository and tag round-trip', () => {
    const seg = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/);
    fc.assert(fc.property(fc.array(seg, { minLength: 1, maxLength: 3 }), fc.option(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/), { nil: undefined }), (parts, tag) => {
      const repositoryName = parts.join('/');
      const parsed = parseEcrImageUri(`111122223333.dkr.ecr.ap-southeast-2.amazonaws.com/${repositoryName}${tag ? `:${tag}` : ''}`);
      expect(parsed).toEqual({ account: '111122223333', region: 'ap-southeast-2', partition: 'aws', repositoryName, ...(tag ? { tag } : {}) });
    }));
  });
});
