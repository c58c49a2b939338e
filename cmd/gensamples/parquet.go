package main

import (
	"io"
	"strconv"

	"github.com/parquet-go/parquet-go"
)

// laParquet is a row of a Log Analytics table copied to Parquet by ADX, Fabric or a data
// lake export: flat PascalCase columns, dynamic columns as JSON text, datetimes as INT64
// timestamps (milliseconds for TimeGenerated, microseconds for CreatedDateTime).
type laParquet struct {
	TenantId                     string  `parquet:"TenantId,dict"`
	TimeGenerated                int64   `parquet:"TimeGenerated,timestamp(millisecond)"`
	OperationName                string  `parquet:"OperationName,dict"`
	Category                     string  `parquet:"Category,dict"`
	ResultType                   string  `parquet:"ResultType,dict"`
	ResultSignature              string  `parquet:"ResultSignature,dict"`
	ResultDescription            *string `parquet:"ResultDescription,optional,dict"`
	CorrelationId                string  `parquet:"CorrelationId"`
	Location                     string  `parquet:"Location,dict"`
	AppDisplayName               string  `parquet:"AppDisplayName,dict"`
	AppId                        string  `parquet:"AppId,dict"`
	ClientAppUsed                string  `parquet:"ClientAppUsed,dict"`
	CreatedDateTime              int64   `parquet:"CreatedDateTime,timestamp(microsecond)"`
	DeviceDetail                 string  `parquet:"DeviceDetail"`
	IPAddress                    string  `parquet:"IPAddress,dict"`
	IsInteractive                bool    `parquet:"IsInteractive"`
	LocationDetails              string  `parquet:"LocationDetails"`
	ResourceDisplayName          string  `parquet:"ResourceDisplayName,dict"`
	ResourceIdentity             string  `parquet:"ResourceIdentity,dict"`
	Status                       string  `parquet:"Status"`
	UserAgent                    string  `parquet:"UserAgent,dict"`
	UserPrincipalName            string  `parquet:"UserPrincipalName,dict"`
	UserId                       string  `parquet:"UserId,dict"`
	IncomingTokenType            string  `parquet:"IncomingTokenType,dict"`
	TokenProtectionStatusDetails string  `parquet:"TokenProtectionStatusDetails,dict"`
	UniqueTokenIdentifier        string  `parquet:"UniqueTokenIdentifier"`
	Id                           string  `parquet:"Id"`
	Type                         string  `parquet:"Type,dict"`
}

func laParquetRow(e *event) laParquet {
	table, category := e.logNames()
	sig := e.signature()
	var desc *string
	if d, ok := failureReason(e).(string); ok {
		desc = &d
	}
	return laParquet{
		TenantId: tenantID, TimeGenerated: e.time.Add(95e9).UnixMilli(), OperationName: "Sign-in activity",
		Category: category, ResultType: strconv.Itoa(e.code), ResultSignature: sig, ResultDescription: desc,
		CorrelationId: e.correlationID, Location: e.place.country, AppDisplayName: e.app.name, AppId: e.app.id,
		ClientAppUsed: e.device.client, CreatedDateTime: e.time.UnixMicro(),
		DeviceDetail: text(obj{{"deviceId", e.deviceID}, {"operatingSystem", e.device.os}, {"browser", e.device.browser}}),
		IPAddress:    e.place.ip, IsInteractive: !e.nonInteractive,
		LocationDetails:     text(obj{{"city", e.place.city}, {"state", e.place.state}, {"countryOrRegion", e.place.country}}),
		ResourceDisplayName: e.resource.name, ResourceIdentity: e.resource.id, Status: text(graphStatus(e)),
		UserAgent: e.device.ua, UserPrincipalName: e.user.upn, UserId: e.user.id, IncomingTokenType: e.incomingTokenType,
		TokenProtectionStatusDetails: text(tokenProtection(e)), UniqueTokenIdentifier: e.uniqueTokenID, Id: e.id, Type: table,
	}
}

// diagParquet is an Azure Monitor diagnostic record as Spark or Databricks writes it from
// the JSON: nested structs for properties, status, deviceDetail and location; the
// created time as an INT64 nanosecond timestamp, the emit time as a string.
type diagParquet struct {
	Time              string  `parquet:"time"`
	ResourceId        string  `parquet:"resourceId"`
	OperationName     string  `parquet:"operationName"`
	Category          string  `parquet:"category"`
	ResultType        string  `parquet:"resultType"`
	ResultDescription *string `parquet:"resultDescription,optional"`
	CorrelationId     string  `parquet:"correlationId"`
	Properties        struct {
		Id                string `parquet:"id"`
		CreatedDateTime   int64  `parquet:"createdDateTime,timestamp(nanosecond)"`
		UserPrincipalName string `parquet:"userPrincipalName"`
		UserId            string `parquet:"userId"`
		AppId             string `parquet:"appId"`
		AppDisplayName    string `parquet:"appDisplayName"`
		IpAddress         string `parquet:"ipAddress"`
		ClientAppUsed     string `parquet:"clientAppUsed"`
		IsInteractive     bool   `parquet:"isInteractive"`
		Status            struct {
			ErrorCode         int64   `parquet:"errorCode"`
			FailureReason     *string `parquet:"failureReason,optional"`
			AdditionalDetails *string `parquet:"additionalDetails,optional"`
		} `parquet:"status"`
		DeviceDetail struct {
			OperatingSystem string `parquet:"operatingSystem"`
			Browser         string `parquet:"browser"`
		} `parquet:"deviceDetail"`
		Location struct {
			City            string `parquet:"city"`
			CountryOrRegion string `parquet:"countryOrRegion"`
		} `parquet:"location"`
		ResourceDisplayName          string `parquet:"resourceDisplayName"`
		ResourceId                   string `parquet:"resourceId"`
		IncomingTokenType            string `parquet:"incomingTokenType"`
		TokenProtectionStatusDetails struct {
			SignInSessionStatus     string `parquet:"signInSessionStatus"`
			SignInSessionStatusCode int32  `parquet:"signInSessionStatusCode"`
		} `parquet:"tokenProtectionStatusDetails"`
		UniqueTokenIdentifier string `parquet:"uniqueTokenIdentifier"`
	} `parquet:"properties"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func diagParquetRow(e *event) diagParquet {
	var r diagParquet
	category := "SignInLogs"
	if e.nonInteractive {
		category = "NonInteractiveUserSignInLogs"
	}
	r.Time = e.time.Add(61e9).Format("2006-01-02T15:04:05.0000000Z")
	r.ResourceId = "/tenants/" + tenantID + "/providers/Microsoft.aadiam"
	r.OperationName, r.Category, r.ResultType = "Sign-in activity", category, strconv.Itoa(e.code)
	if !e.success() {
		r.ResultDescription = optional(e.reason)
	}
	r.CorrelationId = e.correlationID
	p := &r.Properties
	p.Id, p.CreatedDateTime = e.id, e.time.UnixNano()
	p.UserPrincipalName, p.UserId, p.AppId, p.AppDisplayName = e.user.upn, e.user.id, e.app.id, e.app.name
	p.IpAddress, p.ClientAppUsed, p.IsInteractive = e.place.ip, e.device.client, !e.nonInteractive
	p.Status.ErrorCode = int64(e.code)
	if !e.success() {
		p.Status.FailureReason, p.Status.AdditionalDetails = optional(e.reason), optional(e.details)
	}
	p.DeviceDetail.OperatingSystem, p.DeviceDetail.Browser = e.device.os, e.device.browser
	p.Location.City, p.Location.CountryOrRegion = e.place.city, e.place.country
	p.ResourceDisplayName, p.ResourceId, p.IncomingTokenType = e.resource.name, e.resource.id, e.incomingTokenType
	p.TokenProtectionStatusDetails.SignInSessionStatus = e.tpStatus
	p.TokenProtectionStatusDetails.SignInSessionStatusCode = int32(e.tpCode)
	p.UniqueTokenIdentifier = e.uniqueTokenID
	return r
}

// parquetWriters keeps the open writer of a file written in batches.
var parquetWriters = map[io.Writer]any{}

// rowGroupRows is the rows per Parquet row group (-rowgroup). Small by default, so that
// even the sample files' readers meet several; writers of real exports make them larger
// (DuckDB 122,880 rows, Spark 128 MB).
var rowGroupRows = 2000

// writeParquet writes rows through one GenericWriter per output, opened with the first
// batch and closed with the last.
func writeParquet[T any](w io.Writer, evs []event, p part, row func(*event) T) error {
	pw, _ := parquetWriters[w].(*parquet.GenericWriter[T])
	if p.first || pw == nil {
		pw = parquet.NewGenericWriter[T](w, parquet.MaxRowsPerRowGroup(int64(rowGroupRows)), parquet.Compression(&parquet.Snappy))
		parquetWriters[w] = pw
	}
	rows := make([]T, len(evs))
	for i := range evs {
		rows[i] = row(&evs[i])
	}
	if _, err := pw.Write(rows); err != nil {
		return err
	}
	if p.last {
		delete(parquetWriters, w)
		return pw.Close()
	}
	return nil
}
