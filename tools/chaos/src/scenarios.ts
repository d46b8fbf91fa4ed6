// The chaos scenarios by name: each a real fault and the criterion it must pass
// (scenario.ts); the runner starts a platform for each and audits it afterwards.
import type { Scenario } from './scenario.ts';
import { BUS_FAULT_SCENARIOS } from './scenarios/bus-faults.ts';
import { DEGRADED_SCENARIOS } from './scenarios/degraded.ts';
import { INFRASTRUCTURE_SCENARIOS } from './scenarios/infrastructure.ts';
import { KILL_SCENARIOS } from './scenarios/kills.ts';
import { SHIPPING_DOWN_SCENARIOS } from './scenarios/shipping-down.ts';
import { SHOPPER_SCENARIOS } from './scenarios/shoppers.ts';
import { SLOW_PROCESSOR_SCENARIOS } from './scenarios/slow-processor.ts';

export type { Scenario } from './scenario.ts';

export const SCENARIOS: Record<string, (scale: number) => Scenario> = {
  ...KILL_SCENARIOS,
  ...INFRASTRUCTURE_SCENARIOS,
  ...SHOPPER_SCENARIOS,
  ...BUS_FAULT_SCENARIOS,
  ...DEGRADED_SCENARIOS,
  ...SLOW_PROCESSOR_SCENARIOS,
  ...SHIPPING_DOWN_SCENARIOS,
};
