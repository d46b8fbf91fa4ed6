// Payment service entry point: configuration in, service out. Wiring in service.ts.
import { loadConfig, runMain } from '@platform/chassis';
import { PaymentConfig } from './config.ts';
import { startPayment } from './service.ts';

await runMain('payment', () => startPayment(loadConfig(PaymentConfig)));
