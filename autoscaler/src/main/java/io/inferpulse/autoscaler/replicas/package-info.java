/**
 * Kubernetes' Horizontal Pod Autoscaler decision, as a library: the replica calculator
 * ({@link io.inferpulse.autoscaler.replicas.ReplicaCalculator}, after
 * {@code pkg/controller/podautoscaler/replica_calculator.go}) and the controller's normalization with
 * its recommendation and scale-event history ({@link io.inferpulse.autoscaler.replicas.Autoscaler},
 * after {@code horizontal.go}). Time is passed in, so a replay or a simulation steps it at will.
 */
package io.inferpulse.autoscaler.replicas;
