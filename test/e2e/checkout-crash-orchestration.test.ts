// The crash suite with SAGA_MODE=orchestration.
import { checkoutCrash } from './checkout-crash.ts';

checkoutCrash('orchestration');
