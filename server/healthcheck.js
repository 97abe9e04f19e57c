// Container health check (Docker HEALTHCHECK and the ECS task definition): exit 0 when the
// server answers /health on localhost within 2 s.
const port = process.env.PORT || 8080;
require('node:http')
  .get({ host: '127.0.0.1', port, path: '/health', timeout: 2000 }, (res) => process.exit(res.statusCode === 200 ? 0 : 1))
  .on('error', () => process.exit(1))
  .on('timeout', () => process.exit(1));
