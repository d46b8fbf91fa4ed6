export { type Backoff, backoffDelay, jittered } from './backoff.ts';
export { Breaker, type BreakerOptions, type BreakerStateName, DEFAULT_BREAKER } from './breaker.ts';
export { type ActiveFault, FaultInjector, FaultRule, installFaults } from './faults.ts';
export {
  BALANCING_STRATEGIES,
  type BalancingStrategy,
  type EjectionPolicy,
  InstancePool,
} from './load-balancer.ts';
export {
  connectPeers,
  PeerError,
  PeerFailed,
  type PeerRequest,
  type PeerResponse,
  type Peers,
  peerUnavailable,
  serviceTokensFrom,
} from './peers.ts';
export { RetryBudget } from './retry-budget.ts';
export { createServiceClient } from './service-client.ts';
export type {
  AttemptSeen,
  ClientState,
  RemoteCall,
  RetryOptions,
  ServiceClient,
  ServiceClientOptions,
  ServiceRequest,
  ServiceResponse,
} from './service-client-types.ts';
