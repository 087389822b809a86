package supervisor

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// probeClient bounds each health probe.
var probeClient = &http.Client{Timeout: 2 * time.Second}

// probe reports whether the health check answers: an http:// URL with a
// 2xx status, or a tcp://host:port that accepts a connection.
func probe(ctx context.Context, target string) error {
	if addr, ok := strings.CutPrefix(target, "tcp://"); ok {
		var d net.Dialer
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return err
		}
		return conn.Close()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	resp, err := probeClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// checkHealth probes the instance's current process until it exits: every
// 250 ms until it first answers, then every 2 s.
func (s *Supervisor) checkHealth(in *instance) {
	s.mu.Lock()
	exited := in.exited
	s.mu.Unlock()
	every := 250 * time.Millisecond
	for {
		err := probe(context.Background(), in.Health)
		s.mu.Lock()
		select {
		case <-exited:
			s.mu.Unlock()
			return
		default:
		}
		switch {
		case err == nil:
			if in.health != Healthy && in.health != Starting {
				s.log.Fleet("%s is healthy again", in.Name())
			}
			in.health = Healthy
			every = 2 * time.Second
		case in.health == Healthy:
			in.health = Unhealthy
			s.log.Fleet("%s is unhealthy: %s: %v", in.Name(), in.Health, err)
		}
		s.mu.Unlock()

		select {
		case <-exited:
			return
		case <-time.After(every):
		}
	}
}

// waitReady waits until the instance is healthy (a job: until it has
// exited 0), within the service's ready timeout.
func (s *Supervisor) waitReady(ctx context.Context, in *instance) error {
	spec := s.service(in.Service).spec
	deadline := time.Now().Add(spec.ReadyTimeout)
	for {
		s.mu.Lock()
		health, exited := in.health, in.exited
		s.mu.Unlock()
		switch health {
		case Healthy, Running, Done:
			if health == Healthy {
				s.log.Fleet("%s is healthy", in.Name())
			}
			return nil
		case Failed:
			return fmt.Errorf("%s failed:%s", in.Name(), s.lastLines(in, 20))
		}
		if !in.once {
			select {
			case <-exited:
				return fmt.Errorf("%s exited before it was healthy:%s", in.Name(), s.lastLines(in, 20))
			default:
			}
		}
		if time.Now().After(deadline) {
			what := "healthy (" + in.Health + ")"
			if in.once {
				what = "done"
			}
			return fmt.Errorf("%s was not %s within %s:%s", in.Name(), what, spec.ReadyTimeout, s.lastLines(in, 20))
		}
		if s.isStopping() {
			return fmt.Errorf("the fleet is going down")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
