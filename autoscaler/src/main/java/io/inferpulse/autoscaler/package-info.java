/**
 * Autoscaling of InferencePools: the external metrics API server HPA reads ({@code metrics}), HPA
 * generation and reconciliation per InferencePool ({@code hpa}), and Kubernetes' HPA replica
 * calculator as a library ({@code replicas}).
 */
package io.inferpulse.autoscaler;
