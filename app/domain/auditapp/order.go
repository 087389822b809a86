package auditapp

import "github.com/garagesale/service/business/domain/auditbus"

var orderByFields = map[string]string{
	"objID":     auditbus.OrderByObjID,
	"objDomain": auditbus.OrderByObjDomain,
	"objName":   auditbus.OrderByObjName,
	"actorID":   auditbus.OrderByActorID,
	"action":    auditbus.OrderByAction,
	"timestamp": auditbus.OrderByTimestamp,
}
