// The same checkout outcome suite with no orchestrator: every service reacts to the
// others' facts (SAGA_MODE=choreography), and the outcomes must be the same.
import { checkoutOutcomes } from './checkout-outcomes.ts';

checkoutOutcomes('choreography');
