// The checkout outcome suite with the order service as orchestrator (the default).
import { checkoutOutcomes } from './checkout-outcomes.ts';

checkoutOutcomes('orchestration');
