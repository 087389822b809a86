// Copyright (c) Microsoft Corporation. All rights reserved.
// Licensed under the MIT License. See License.txt in the project root for license information.

package exported

const (
	ModuleName    = "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	ModuleVersion = "v1.8.0"
)
