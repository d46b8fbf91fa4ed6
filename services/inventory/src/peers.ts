// The services this one calls (connectPeers). deploy/k8s derives the NetworkPolicies
// that let those calls through from this list, so the two cannot drift apart.
export const PEERS = ['catalog'] as const;
